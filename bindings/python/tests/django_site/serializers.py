"""A serializer other than Django's JSONSerializer, for the test that refuses it."""
from django.core.signing import JSONSerializer


class Other(JSONSerializer):
    pass
