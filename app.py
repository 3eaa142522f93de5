"""Start the web chat: ``python app.py [--host 127.0.0.1] [--port 7860]``.

The search index is opened (or built, with progress shown here) before the server starts,
so the page answers as soon as it loads.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="eu-ai-draft-assistant web chat")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error("--port must be from 1 to 65535")

    from assistant.errors import AssistantError
    from assistant.ui import launch

    try:
        launch(host=args.host, port=args.port)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the port is taken or the address cannot be bound
        print(f"error: cannot listen on {args.host}:{args.port} ({exc}). Try another --port.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
