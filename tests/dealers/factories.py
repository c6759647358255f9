"""factory_boy factories that keep tenant and dealer consistent across related objects."""

import factory

from dealers.choices import ApiScope, Role
from dealers.models import ApiClient, Dealer, Region, Tenant, User

TEST_PASSWORD = "Correct-Horse-9"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"汽车集团{n}")
    slug = factory.Sequence(lambda n: f"tenant-{n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"大区{n}")


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    region = factory.SubFactory(RegionFactory)
    tenant = factory.SelfAttribute("region.tenant")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"测试汽车{n}号4S店")
    city = "北京"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.SERVICE_ADVISOR
    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    password = factory.django.Password(TEST_PASSWORD)


class ApiClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiClient

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    name = factory.Sequence(lambda n: f"DMS {n}")
    access = ApiScope.WRITE

    key_hash = factory.Sequence(lambda n: f"{n:064d}")
    key_prefix = "crmc_test"
