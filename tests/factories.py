import datetime
from decimal import Decimal

import factory

from people.models import (
    Employee,
    EmployeeRecord,
    Membership,
    Organization,
    RecordEvent,
    Role,
    Team,
    User,
)

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    time_zone = "Europe/Berlin"
    currency = "EUR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    job_title = "Software Engineer"
    level = "L3"
    hire_date = datetime.date(2023, 1, 9)
    annual_salary = Decimal("72000.00")

    @factory.post_generation
    def hire_record(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmployeeRecord.objects.create(
                organization=obj.organization,
                employee=obj,
                effective_date=obj.hire_date or datetime.date(2020, 1, 1),
                event=RecordEvent.HIRE,
                team=obj.team,
                manager=obj.manager,
                job_title=obj.job_title,
                level=obj.level,
                annual_salary=obj.annual_salary,
                is_top_performer=obj.is_top_performer,
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.LEARNER
