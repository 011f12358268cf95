from django.dispatch import Signal

# Sent after a new organisation is committed. Higher apps subscribe in their
# AppConfig.ready() to seed their content (competencies, scenario library...).
# kwargs: organization
organization_created = Signal()
