from django.dispatch import Signal

# Sent inside the transaction that copies a program for a cohort (copy on first use), so
# higher apps can copy what they attach to modules and programs (knowledge checks,
# target profiles). kwargs: source (Program), copy (Program), module_map ({old pk: new Module})
program_copied = Signal()

# Sent inside the transaction that creates or edits a program (template or a cohort's
# copy) once its competencies are set, so higher apps can keep what they attach to the
# chosen competencies in step (a target level for each). kwargs: program, created (bool)
program_saved = Signal()
