"""`make serve`: the app under waitress, a production WSGI server, on localhost."""

import argparse

from waitress import serve

from . import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.web.serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    app = create_app()
    print(f"CIFAKE detector: http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
