"""The content tree of an article or annex (``{num, text, children}`` nodes, the corpus' JSON Lines
layout) as flattened text: one node per line, two spaces of indentation per level."""
from __future__ import annotations


def node_line(node: dict) -> str:
    num = node.get("printed_num") and node.get("num") or node.get("num")
    return f"{num} {node['text']}" if num else node["text"]


def render(node: dict, depth: int = 0) -> str:
    """A node and its descendants as lines with two spaces of indentation per level,
    the layout of the corpus' own flattened ``text``."""
    lines = ["  " * depth + node_line(node)]
    lines += [render(child, depth + 1) for child in node.get("children") or []]
    return "\n".join(lines)


def flatten(nodes: list[dict]) -> str:
    return "\n".join(render(n) for n in nodes)
