from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

PASSWORD = "mot con vit xoe ra hai cai canh"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoi.dung{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Người Dùng {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        self.save()
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CitizenFactory(UserFactory):
    phone = "+84912345678"


class OfficialFactory(UserFactory):
    email = factory.Sequence(lambda n: f"can.bo{n}@binhan.gov.vn")
    is_staff = True
