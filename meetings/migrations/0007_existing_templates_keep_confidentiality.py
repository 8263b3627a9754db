"""Templates saved before templates kept confidentiality: a template does not point at its meeting, so
the meetings it may come from are those with its title. If any of them is 机密, the template becomes 机密
(seen only by its people); agenda titles that are confidential items of those meetings are dropped."""

from django.db import migrations


def forwards(apps, schema_editor):
    MeetingTemplate = apps.get_model("meetings", "MeetingTemplate")
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for template in MeetingTemplate.objects.all().iterator():
        sources = Meeting.objects.filter(title=template.title)
        secret_titles = set(
            AgendaItem.objects.filter(meeting__in=sources, is_confidential=True).values_list("title", flat=True)
        )
        agenda = [entry for entry in template.agenda or [] if entry.get("title") not in secret_titles]
        confidential = template.is_confidential or sources.filter(is_confidential=True).exists()
        if agenda != (template.agenda or []) or confidential != template.is_confidential:
            template.agenda, template.is_confidential = agenda, confidential
            template.save(update_fields=["agenda", "is_confidential"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_template_confidential")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
