import factory

from salesopt.imports.models import ImportRun


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    kind = "lead"
    source = "crm"
    file = factory.django.FileField(filename="leads.csv", data=b"id,name\n")
    file_name = "leads.csv"
    file_size = 8
    file_sha256 = "0" * 64
    time_zone = "Asia/Shanghai"
