"""nbgrader's hidden-test markers, parsed in one place: ``### BEGIN HIDDEN TESTS`` .. ``### END HIDDEN TESTS``."""
from __future__ import annotations


def split_hidden(source: str) -> tuple[str, list[str]]:
    """A test cell's source without its hidden blocks, and the blocks' bodies (markers dropped)."""
    visible: list[str] = []
    blocks: list[list[str]] = []
    inside = False
    for line in source.splitlines():
        marker = line.strip().upper()
        if marker.startswith("### BEGIN HIDDEN TESTS"):
            inside = True
            blocks.append([])
        elif marker.startswith("### END HIDDEN TESTS"):
            inside = False
        elif inside:
            blocks[-1].append(line)
        else:
            visible.append(line)
    return "\n".join(visible), ["\n".join(block) for block in blocks]


def hidden_blocks(source: str) -> list[str]:
    """The bodies of every hidden-test block in ``source`` (empty when it has none)."""
    return split_hidden(source)[1]
