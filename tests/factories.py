from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.choices import ClaimStatus, SourceKind, Stance
from claims.models import Article, Claim, Evidence, Rating, Source, SourcePassage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    outlet = "Example News"
    body = factory.Sequence(lambda n: f"Body of article {n}. The minister said unemployment fell by 3 percent.")
    content_hash = factory.LazyAttribute(lambda article: hashlib.sha256(article.body.encode()).hexdigest())


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    text = factory.Sequence(lambda n: f"Unemployment fell by {n} percent last year.")
    checkworthiness = 0.9
    priority = factory.Sequence(lambda n: float(n % 100))
    status = ClaimStatus.NEW


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://records.example.org/{n}")
    title = factory.Sequence(lambda n: f"Official record {n}")
    kind = SourceKind.OFFICIAL_RECORD
    body = "Unemployment fell by 2 percent according to the national statistics office."


class SourcePassageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourcePassage

    source = factory.SubFactory(SourceFactory)
    position = factory.Sequence(lambda n: n)
    text = "Unemployment fell by 2 percent according to the national statistics office."


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    stance = Stance.REFUTES
    added_by = factory.SubFactory(UserFactory)


def rating(label: str) -> Rating:
    return Rating.objects.get(label=label)
