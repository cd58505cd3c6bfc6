"""The store side: everything that talks to Shopify's Admin GraphQL API.

The client (``client``, with ``documents``, ``responses``, ``retry``, ``auth``, ``pacing``),
the documents it sends (``queries/``, checked against ``schema``), what the store has
(``remote``), what a write sends (``inputs``, ``marks``) and the image stage (``uploads``).
The only package that imports ``requests``; a test (``tests/test_layout.py``) keeps it so.
"""
