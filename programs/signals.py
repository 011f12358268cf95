from django.dispatch import Signal

# Sent inside the transaction that copies a program for a cohort (copy on first use), so
# higher apps can copy what they attach to modules and programs (knowledge checks,
# target profiles). kwargs: source (Program), copy (Program), module_map ({old pk: new Module})
program_copied = Signal()
