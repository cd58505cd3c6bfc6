"""shopsync: keep a Shopify store's blog in sync with Markdown files in git."""

__version__ = "0.1.0"
