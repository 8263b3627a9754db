"""Views for action items, by audience: items.py (owners), links.py (signed links and the calendar
feed), manage.py (department and organisation lists, bulk actions, exports)."""
