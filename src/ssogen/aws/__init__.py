"""aws layer: every call to AWS (boto3/botocore) is made from here.

Importing it applies the logging the CLI asked for (:func:`ssogen.logs.activate`), before
botocore is imported and can log anything."""

from ssogen import logs

logs.activate()
