"""Extract the part of Shopify's Admin GraphQL schema that shopsync sends and the sandbox serves.

Usage: ``python scripts/extract_schema.py [FULL_SDL] [--output PATH]`` (default
``$SHOPSYNC_SHARED_DIR/shopify/admin-2026-07.graphql``, else ``../shared/...`` beside the
repository). Writes ``shopsync/admin/admin-2026-07.subset.graphql``.

Why a subset: the full schema has 3,552 types and takes seconds to build; the client validates
every document before sending and the sandbox validates and executes every request, so both
want a schema that builds in a blink and holds only what we can answer faithfully.

How it is cut, so that it stays a true sub-schema (``tests/test_schema.py`` proves it):
- start from the root fields in ``QUERY_FIELDS`` / ``MUTATION_FIELDS`` and walk the types they
  reach; a type in ``DENY`` is never entered, and a field is dropped when its type (or a required
  argument's type) is out of the subset; optional arguments and input fields of such types go too;
- a type in ``PARTIAL`` keeps only the listed fields (Product reaches most of the schema);
- every field any ``shopsync/admin/queries/*.graphql`` document, or any document shopsync
  builds in code (``generated_documents``), selects is kept (adding a document and re-running
  this script is the whole workflow);
- an object keeps every field its kept interfaces keep; union members and implementors outside the
  subset are dropped; descriptions are dropped; everything kept is copied verbatim.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeInfo,
    TypeNode,
    UnionTypeDefinitionNode,
    Visitor,
    build_ast_schema,
    parse,
    print_ast,
    visit,
)
from graphql.language import DirectiveDefinitionNode, Node, TypeDefinitionNode
from graphql.utilities import TypeInfoVisitor

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "shopsync" / "admin" / "admin-2026-07.subset.graphql"
QUERIES = ROOT / "shopsync" / "admin" / "queries"

QUERY_FIELDS = [
    "article",
    "articleAuthors",
    "articleTags",
    "articles",
    "blog",
    "blogs",
    "blogsCount",
    "comment",
    "comments",
    "currentAppInstallation",
    "files",
    "metafieldDefinition",
    "metafieldDefinitions",
    "node",
    "nodes",
    "page",
    "pages",
    "pagesCount",
    "product",
    "productByIdentifier",
    "products",
    "publicApiVersions",
    "urlRedirect",
    "urlRedirects",
]
MUTATION_FIELDS = [
    "articleCreate",
    "articleDelete",
    "articleUpdate",
    "blogCreate",
    "blogDelete",
    "blogUpdate",
    "commentApprove",
    "commentDelete",
    "commentNotSpam",
    "commentSpam",
    "fileCreate",
    "fileDelete",
    "metafieldDefinitionCreate",
    "metafieldsDelete",
    "metafieldsSet",
    "pageCreate",
    "pageDelete",
    "pageUpdate",
    "stagedUploadsCreate",
    "urlRedirectCreate",
    "urlRedirectDelete",
]

# Types with a huge reach of their own: only these fields (plus what our documents select).
PARTIAL: dict[str, set[str]] = {
    "Product": {
        "createdAt",
        "description",
        "descriptionHtml",
        "featuredImage",
        "handle",
        "id",
        "metafield",
        "metafields",
        "onlineStoreUrl",
        "productType",
        "status",
        "tags",
        "title",
        "updatedAt",
        "vendor",
    },
    "AppInstallation": {"accessScopes", "app", "id"},
    # The app a token belongs to: its id names its reserved namespace (app--<id>).
    "App": {"handle", "id", "title"},
    # Images in Content > Files: what an upload needs to create, find and wait for.
    "MediaImage": {
        "alt",
        "createdAt",
        "fileErrors",
        "fileStatus",
        "id",
        "image",
        "mimeType",
        "originalSource",
        "preview",
        "updatedAt",
    },
    # Definitions as the sandbox serves them (create, read, a metafield's definition).
    "MetafieldDefinition": {
        "description",
        "id",
        "key",
        "metafieldsCount",
        "name",
        "namespace",
        "ownerType",
        "pinnedPosition",
        "type",
        "validationStatus",
        "validations",
    },
    "MetafieldDefinitionType": {"category", "name"},
}

# Partial types that implement only these of their interfaces. MediaImage's HasMetafields
# fields are deprecated on MediaImage but not on the interface (Shopify's schema breaks that
# rule; graphql-core refuses it) and Media reaches product media: a file needs neither.
PARTIAL_INTERFACES: dict[str, set[str]] = {"MediaImage": {"File", "Node"}}

# Never entered: events, translations, definitions, channels and the like are not served.
DENY = {
    "Event",
    "EventConnection",
    "Translation",
    "StandardMetafieldDefinitionTemplate",
    # Definition inputs the sandbox does not model (access, constraints, capabilities).
    "MetafieldAccessInput",
    "MetafieldDefinitionConstraintsInput",
    "MetafieldCapabilityCreateInput",
    "Channel",
    "Publication",
    "Market",
    "Shop",
    "Collection",
    "Customer",
    "Company",
    "CompanyLocation",
    "Order",
    "DraftOrder",
    "ProductVariant",
    "Location",
    "Metaobject",
    "Video",
    "GenericFile",
    "Model3d",
    "ExternalVideo",
    "TaxonomyValue",
    "OnlineStoreTheme",
    "Menu",
    "StaffMember",
    "StaffMemberConnection",
    "BlogFeed",
    "CommentEventEmbed",
    "PriceRule",
    "DiscountNode",
    "DiscountAutomaticNode",
    "DiscountCodeNode",
    "Job",
    "SellingPlanGroup",
    "SavedSearch",
    "Catalog",
    "SegmentFilter",
    "Segment",
    "CalculatedOrder",
    "ShopifyPaymentsAccount",
    "MetafieldCapabilities",
    "MetafieldAccess",
    "ResourceFeedback",
    "Publishable",
    "ResourcePublication",
    "ResourcePublicationV2",
    "PublicationConnection",
}
BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def named(node: TypeNode) -> str:
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value


def required(value: InputValueDefinitionNode) -> bool:
    return value.type.kind == "non_null_type" and value.default_value is None


def used_fields(schema: GraphQLSchema, documents: Iterable[DocumentNode]) -> set[tuple[str, str]]:
    """(type, field) pairs our documents select, so PARTIAL never drops one we need."""
    used: set[tuple[str, str]] = set()

    class Collect(Visitor):
        def __init__(self, info: TypeInfo) -> None:
            super().__init__()
            self.info = info

        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = self.info.get_parent_type()
            if (
                isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                and node.name.value in parent.fields
            ):
                used.add((parent.name, node.name.value))

    for document in documents:
        info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(info, Collect(info)))
    return used


def load_full(full_sdl: str) -> tuple[DocumentNode, GraphQLSchema]:
    """The full SDL parsed, and built (the slow part: build it once, pass it around)."""
    full_doc = parse(full_sdl, no_location=True)
    return full_doc, build_ast_schema(full_doc, assume_valid=True)


def extract(full_doc: DocumentNode, schema: GraphQLSchema, documents: list[DocumentNode]) -> str:
    defs: dict[str, TypeDefinitionNode] = {
        d.name.value: d for d in full_doc.definitions if isinstance(d, TypeDefinitionNode)
    }
    used = used_fields(schema, documents)
    forced: dict[str, set[str]] = {}
    for type_name, field_name in used:
        forced.setdefault(type_name, set()).add(field_name)

    # 1. Which types are in: walk from the roots, not entering DENY.
    keep_fields: dict[str, list[str]] = {}
    seen: set[str] = set()
    queue: list[str] = []

    def enter(name: str) -> bool:
        if name in DENY and name not in forced:
            return False
        if name not in seen:
            seen.add(name)
            queue.append(name)
        return True

    roots = {"QueryRoot": QUERY_FIELDS, "Mutation": MUTATION_FIELDS}
    for root in roots:
        enter(root)
    while queue:
        name = queue.pop()
        node = defs.get(name)
        if node is None:
            continue
        if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            wanted = set(roots[name]) if name in roots else PARTIAL.get(name)
            for field in node.fields or ():
                fname = field.name.value
                if wanted is not None and fname not in wanted and fname not in forced.get(name, ()):
                    continue
                deprecated = any(d.name.value == "deprecated" for d in field.directives or ())
                if deprecated and fname not in forced.get(name, ()):
                    continue
                if not enter(named(field.type)):
                    continue
                if not all(enter(named(a.type)) for a in field.arguments or () if required(a)):
                    continue
                for arg in field.arguments or ():
                    if not required(arg):
                        enter(named(arg.type))
                keep_fields.setdefault(name, []).append(fname)
            for iface in _interfaces(node):
                enter(iface)
        elif isinstance(node, InputObjectTypeDefinitionNode):
            for value in node.fields or ():
                if not enter(named(value.type)) and required(value):
                    raise SystemExit(f"{name}.{value.name.value} is required but denied")
        elif isinstance(node, UnionTypeDefinitionNode):
            for member in node.types or ():
                enter(member.name.value)

    # 2. Prune to a fixed point: drop fields whose types fell out, empty types, and so on.
    kept = {n for n in seen if n in defs or n in BUILTIN_SCALARS}
    changed = True
    while changed:
        changed = False
        for name in sorted(kept):
            node = defs.get(name)
            if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                fields = [
                    f
                    for f in keep_fields.get(name, [])
                    if _field_ok(defs[name], f, kept)  # type: ignore[arg-type]
                ]
                if fields != keep_fields.get(name, []):
                    keep_fields[name] = fields
                    changed = True
                if not fields:
                    kept.discard(name)
                    changed = True
            elif isinstance(node, UnionTypeDefinitionNode) and not any(
                m.name.value in kept for m in node.types or ()
            ):
                kept.discard(name)
                changed = True
        # An object keeps whatever its kept interfaces keep.
        for name in sorted(kept):
            node = defs.get(name)
            if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                ifaces = [i for i in _interfaces(node) if i in kept]
                for f in (f for i in ifaces for f in keep_fields.get(i, [])):
                    if f not in keep_fields.get(name, []):
                        keep_fields.setdefault(name, []).append(f)
                        changed = True

    # 3. Print the kept definitions verbatim, without descriptions.
    out: list[str] = []
    for d in full_doc.definitions:
        if isinstance(d, SchemaDefinitionNode):
            out.append(print_ast(d))
        elif isinstance(d, DirectiveDefinitionNode) and all(
            named(a.type) in kept or named(a.type) in BUILTIN_SCALARS for a in d.arguments or ()
        ):
            out.append(print_ast(_strip(d)))
    for name in sorted(kept):
        node = defs.get(name)
        if node is None:
            continue
        out.append(print_ast(_strip(_filtered(node, keep_fields, kept))))
    header = (
        "# Subset of Shopify's Admin GraphQL schema 2026-07 served by the shopsync sandbox and\n"
        "# sent by the shopsync client. Generated by scripts/extract_schema.py from\n"
        "# shared/shopify/admin-2026-07.graphql; do not hand-edit, re-run the script.\n\n"
    )
    return header + "\n\n".join(out) + "\n"


def _interfaces(node: ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode) -> list[str]:
    names = [i.name.value for i in node.interfaces or ()]
    only = PARTIAL_INTERFACES.get(node.name.value)
    return names if only is None else [n for n in names if n in only]


def _field_ok(node: ObjectTypeDefinitionNode, fname: str, kept: set[str]) -> bool:
    field = next(f for f in node.fields or () if f.name.value == fname)
    if named(field.type) not in kept:
        return False
    return all(named(a.type) in kept for a in field.arguments or () if required(a))


def _filtered(
    node: TypeDefinitionNode, keep_fields: dict[str, list[str]], kept: set[str]
) -> TypeDefinitionNode:
    name = node.name.value
    if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        wanted = set(keep_fields.get(name, []))
        fields = []
        for f in node.fields or ():
            if f.name.value not in wanted:
                continue
            args = tuple(a for a in f.arguments or () if named(a.type) in kept)
            fields.append(FieldDefinitionNode(**{**_attrs(f), "arguments": args}))
        allowed = set(_interfaces(node))
        interfaces = tuple(
            i for i in node.interfaces or () if i.name.value in kept and i.name.value in allowed
        )
        return type(node)(**{**_attrs(node), "fields": tuple(fields), "interfaces": interfaces})
    if isinstance(node, InputObjectTypeDefinitionNode):
        values = tuple(v for v in node.fields or () if named(v.type) in kept)
        return InputObjectTypeDefinitionNode(**{**_attrs(node), "fields": values})
    if isinstance(node, UnionTypeDefinitionNode):
        members = tuple(m for m in node.types or () if m.name.value in kept)
        return UnionTypeDefinitionNode(**{**_attrs(node), "types": members})
    return node


def _attrs(node: object) -> dict[str, Any]:
    return {k: getattr(node, k) for k in node.keys if k != "loc"}  # type: ignore[attr-defined]


def _strip(node: Node) -> Node:
    """Drop descriptions everywhere (they are half the file and no client needs them)."""

    class Strip(Visitor):
        def enter(self, n: object, *_: object) -> object:
            if getattr(n, "description", None) is not None:
                attrs = _attrs(n)
                attrs["description"] = None
                return type(n)(**attrs)
            return None

    stripped: Node = visit(node, Strip())
    return stripped


def default_sdl_path() -> Path:
    shared = os.environ.get("SHOPSYNC_SHARED_DIR")
    base = Path(shared) if shared else ROOT.parent / "shared"
    return base / "shopify" / "admin-2026-07.graphql"


def documents() -> list[DocumentNode]:
    # Fragment files (queries/fragments/) parse on their own; their fields count like any.
    files = [parse(p.read_text(encoding="utf-8")) for p in sorted(QUERIES.rglob("*.graphql"))]
    return files + [parse(text) for text in generated_documents()]


def generated_documents() -> list[str]:
    """The documents shopsync builds in code, in every shape they take."""
    from shopsync.admin import batch
    from shopsync.admin.remote import products_document, snapshot_document

    writes = [
        batch.Write("article", {}),
        batch.Write("article", {}, id="gid://shopify/Article/1", remove=(("global", "k"),)),
        batch.Write("page", {}),
        batch.Write("page", {}, id="gid://shopify/Page/1", remove=(("global", "k"),)),
    ]
    return [
        snapshot_document(products=1, files=True),
        products_document(1),
        batch.document(writes)[0],
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Write the schema subset shopsync bundles.")
    parser.add_argument("sdl", nargs="?", type=Path, default=default_sdl_path())
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    full_doc, schema = load_full(args.sdl.read_text(encoding="utf-8"))
    text = extract(full_doc, schema, documents())
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count(chr(10))} lines) from {args.sdl}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
