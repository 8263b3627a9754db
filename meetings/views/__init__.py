"""Views for meetings, by purpose: pages.py (list, create, the meeting page and its add forms).

`get_meeting_for_user` and `get_editable_meeting` are the shared fetch-with-permission helpers."""

from meetings.views.detail import get_editable_meeting, get_meeting_for_user

__all__ = ["get_editable_meeting", "get_meeting_for_user"]
