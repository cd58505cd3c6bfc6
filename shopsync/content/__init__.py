"""The files side: article and page files → validated models → the HTML Shopify stores.

Offline by construction: nothing here (or anything it imports) talks to a store; a test
(``tests/test_layout.py``) keeps it so.
"""
