"""The competency framework: retiring a competency keeps it where it is used, and keeps it
out of anything new."""

import pytest
from django.core.exceptions import ValidationError

from programs import services


def test_retired_competencies_stay_on_edit_but_cannot_be_added(lnd, template):
    comp = template.organization.competencies.get(key="delegation")
    services.program_save(
        actor=lnd,
        program=template,
        title=template.title,
        audience=template.audience,
        duration_weeks=template.duration_weeks,
        competency_ids=[comp.pk],
    )
    services.competency_set_retired(actor=lnd, competency=comp, retired=True)
    services.program_save(
        actor=lnd,
        program=template,
        title="Renamed",
        audience=template.audience,
        duration_weeks=template.duration_weeks,
        competency_ids=[comp.pk],
    )
    assert list(template.competencies.all()) == [comp]
    with pytest.raises(ValidationError, match="Retired competencies cannot be added: Delegation"):
        services.program_save(
            actor=lnd,
            title="New",
            audience="new_managers",
            duration_weeks=4,
            competency_ids=[comp.pk],
        )
