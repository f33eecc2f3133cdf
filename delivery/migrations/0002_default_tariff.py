"""The portal's demo tariff (docs/delivery-tariff.md): officials edit it in the admin."""

from django.db import migrations

# (zone, weight class) → price in đồng
DEFAULT_RATES = {
    ("same_ward", "w250"): 15000,
    ("same_ward", "w500"): 18000,
    ("same_ward", "w1000"): 22000,
    ("same_province", "w250"): 20000,
    ("same_province", "w500"): 25000,
    ("same_province", "w1000"): 30000,
    ("other_province", "w250"): 28000,
    ("other_province", "w500"): 35000,
    ("other_province", "w1000"): 45000,
}


def load(apps, schema_editor):
    TariffRate = apps.get_model("delivery", "TariffRate")
    for (zone, weight_class), price in DEFAULT_RATES.items():
        TariffRate.objects.get_or_create(zone=zone, weight_class=weight_class, defaults={"price": price})


def unload(apps, schema_editor):
    TariffRate = apps.get_model("delivery", "TariffRate")
    for zone, weight_class in DEFAULT_RATES:
        TariffRate.objects.filter(zone=zone, weight_class=weight_class).delete()


class Migration(migrations.Migration):
    dependencies = [("delivery", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
