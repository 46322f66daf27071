"""drf-spectacular post-processing for the published OpenAPI schema."""

EMPTY = {"type": "string", "maxLength": 0}


def _walk(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "email":
            # Optional e-mail fields hold "" when unknown; say so, or clients validating
            # responses against the schema reject real answers.
            email = {k: v for k, v in node.items() if k not in {"readOnly", "writeOnly"}}
            flags = {k: node[k] for k in ("readOnly", "writeOnly") if k in node}
            node.clear()
            node.update({"anyOf": [email, EMPTY], **flags})
            return
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def blank_emails_hook(result, generator, request, public):
    _walk(result.get("components", {}).get("schemas", {}))
    return result
