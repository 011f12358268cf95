"""The demo area's registration: the 360 part of `load_demo` (see feedback360/demo.py)."""


def demo_feedback(organization) -> str:
    from feedback360.demo import demo_feedback_load

    result = demo_feedback_load(organization=organization)
    if not result:
        return ""
    return (
        f"Opened the running cohort's 360 (before the program): {result['answered']} raters "
        f"have answered, {result['invited']} invitations are in the development mailbox."
    )


def register() -> None:
    from people.demo import register_demo_loader

    register_demo_loader(name="feedback360", floor=3, load=demo_feedback)
