from django.db import migrations

ROLES = ["reviewer", "editor", "admin"]

# label, ClaimReview alternateName, ratingValue (1-5, None where the scale does not apply), colour, description
DEFAULT_SCALE = [
    ("Accurate", "True", 5, "#1a7f37", "The claim is correct and nothing significant is missing."),
    ("Mostly accurate", "Mostly true", 4, "#57a05a", "The claim is correct but needs clarification or a detail is off."),
    ("Needs context", "Missing context", 3, "#b08800", "The claim is technically correct but leaves out context that changes its meaning."),
    ("Misleading", "Misleading", 2, "#d4731c", "The claim uses correct facts to give a false impression."),
    ("Outdated", "Outdated", 2, "#8250df", "The claim was true once but is no longer (a former title, an old figure)."),
    ("Inaccurate", "False", 1, "#cf222e", "The claim is wrong."),
    ("Unverifiable", "Unproven", None, "#6e7781", "There is not enough public evidence to establish whether the claim is true."),
]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Rating = apps.get_model("claims", "Rating")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for position, (label, alternate_name, value, colour, description) in enumerate(DEFAULT_SCALE):
        Rating.objects.get_or_create(
            label=label,
            defaults={
                "alternate_name": alternate_name,
                "value": value,
                "colour": colour,
                "description": description,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_hnsw_indexes"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
