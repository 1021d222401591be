"""``roi listen``: the complaint triage queue for a brand's handles; ``train``/``evaluate``/``weights`` for the detector."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

NAME = "listen"

_JSON_KEYS = ["post_id", "author", "action", "reason", "topic", "addressed", "author_followers",
              "created_at", "author_id", "author_pagerank", "pagerank_percentile", "influential", "via",
              "topic_rule", "complaint_terms", "sentiment", "probability", "reasons", "earlier_complaints",
              "other_authors_in_window", "needs_private", "text"]
_URGENCY = {"escalate": 0, "take_private": 1, "reply_public": 2, "monitor": 3}


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def register(subparsers) -> None:
    """Add ``roi listen`` and its options to ``subparsers``."""
    parser = subparsers.add_parser(
        NAME, help="complaints about a brand with a recommended action (triage queue)",
        description="Find complaints addressed to or tagging the brand, give each a topic and a recommended "
        "action - monitor, reply_public, take_private or escalate - with the reason in words, and the "
        "detector's reasons for calling it a complaint. Escalate fires at a second distinct author on the same "
        "topic within --window-hours. The detector reads English; other posts are counted as not scored. "
        "Subcommands: `roi listen train` learns a detector from labelled posts, `roi listen evaluate` measures "
        "one, `roi listen weights` prints its weights.",
    )
    parser.add_argument("--store", metavar="DIR", help="a store written by `roi ingest` (required for the queue)")
    parser.add_argument("--handles", metavar="H1,H2",
                        help="the brand's handles, comma-separated, e.g. acme,acmecustserv (required for the queue); "
                        "a handle with no profile in the store is matched by its text")
    parser.add_argument("--brand-terms", default="", metavar="T1,T2",
                        help="words and hashtags that name the brand, comma-separated (the handles always count)")
    parser.add_argument("--topics", default="", metavar="P1,P2",
                        help="known topics (product names), comma-separated; otherwise topics are the product and "
                        "service phrases complainants share")
    parser.add_argument("--model", default=None, metavar="MODEL.json",
                        help="a detector trained by `roi listen train` (default: the one shipped with roi)")
    parser.add_argument("--since", default=None, metavar="DATE", help="first day/time to report (UTC)")
    parser.add_argument("--until", default=None, metavar="DATE", help="report complaints before this (UTC)")
    parser.add_argument("--window-hours", type=float, default=72.0, metavar="H",
                        help="escalation window: another author on the same topic within H hours (default 72)")
    parser.add_argument("--follower-threshold", type=int, default=10_000, metavar="N",
                        help="followers at which a tagged-only complainant is influential (default 10000)")
    parser.add_argument("--pagerank-top", type=float, default=0.01, metavar="SHARE",
                        help="top share of PageRank on the follow graph that is influential (default 0.01)")
    parser.add_argument("--limit", type=int, default=50, metavar="N",
                        help="complaints shown in the terminal, most urgent first (default 50; all go to --out/--json)")
    parser.add_argument("--out", default=None, metavar="FILE.csv",
                        help="write the whole queue as CSV, with an empty `label` column to fill in (1 = complaint, "
                        "0 = not) for `roi listen train`")
    parser.add_argument("--json", action="store_true",
                        help='print a list of {"post_id","author","action","reason","topic","reasons",...}; the '
                        "count of posts not scored goes to stderr")
    parser.set_defaults(func=run)
    sub = parser.add_subparsers(dest="listen_command", metavar="SUBCOMMAND")

    train = sub.add_parser("train", help="learn a complaint detector from labelled posts (text,label CSV)",
                           description="Fit a logistic regression (hashed word and character n-grams plus the "
                           "readable complaint features) on a CSV with text,label (1 = complaint, 0 = not; other "
                           "columns ignored, an empty label skipped) and save it as JSON weights.")
    train.add_argument("--labels", required=True, metavar="FILE.csv", help="labelled posts: text,label")
    train.add_argument("--out", required=True, metavar="MODEL.json", help="where to write the model (JSON)")
    train.add_argument("--cv", type=int, default=None, metavar="K",
                       help="also report stratified K-fold cross-validated precision, recall and F1 (mean and sd)")
    train.add_argument("--features-only", action="store_true",
                       help="no n-grams: every weight is a named feature (as the default detector)")
    train.add_argument("--json", action="store_true", help="print the figures as JSON")
    train.set_defaults(func=run_train)

    evaluate = sub.add_parser("evaluate", help="precision, recall and F1 of a detector on labelled posts",
                              description="Score a CSV with text,label (1 = complaint, 0 = not) with the default "
                              "detector or --model and print precision, recall, F1 and the confusion counts. Posts "
                              "the detector cannot read (not English) are counted as not scored and left out.")
    evaluate.add_argument("--labels", required=True, metavar="FILE.csv", help="labelled posts: text,label")
    evaluate.add_argument("--model", default=None, metavar="MODEL.json", help="a model from `roi listen train`")
    evaluate.add_argument("--json", action="store_true",
                          help='print {"precision","recall","f1","n","tp","fp","fn","tn","not_scored"}')
    evaluate.set_defaults(func=run_evaluate)

    weights = sub.add_parser("weights", help="print the detector's feature weights",
                             description="The named feature weights of the default detector or --model, "
                             "strongest first (n-gram weights are counted, not listed).")
    weights.add_argument("--model", default=None, metavar="MODEL.json", help="a model from `roi listen train`")
    weights.add_argument("--json", action="store_true", help="print a list of {feature, meaning, weight}")
    weights.set_defaults(func=run_weights)


def _model(path):
    from roi.listening import load_model

    return load_model(path) if path else None


def _percent(x: float) -> str:
    return "n/a" if x != x else f"{x:.1%}"


#: each action of the queue (the JSON's codes) in the words the text shows, most urgent first.
_ACTION_WORDS = {"escalate": "escalate", "take_private": "take private", "reply_public": "reply in public",
                 "monitor": "monitor"}


def _compact(queue, *, width: int, limit: int) -> list[str]:
    """Format the queue as a terminal table.

    One header line per complaint, its text, why, and the action's reason.
    """
    import pandas as pd

    lines = []
    head = f"{'#':>3}  {'when (UTC)':<16}  {'author':<24}  {'action':<15}  topic"
    lines.append(head)
    lines.append("-" * min(width, max(len(head), 60)))
    indent = " " * 5
    room = max(40, width - len(indent))
    for k, r in enumerate(queue.head(limit).itertuples(), start=1):
        followers = "" if pd.isna(r.author_followers) else f" ({int(r.author_followers):,})"
        name = f"@{r.author}" if isinstance(r.author, str) else f"id {r.author_id}"
        if len(name) + len(followers) > 24:  # shorten the handle, never the follower count
            name = name[:max(4, 23 - len(followers))] + "…"
        who = name + followers
        topic = r.topic if isinstance(r.topic, str) else "no topic"
        action = _ACTION_WORDS.get(str(r.action), str(r.action))
        lines.append(f"{k:>3}  {r.created_at:%Y-%m-%d %H:%M}  {who:<24}  {action:<15}  {topic}")
        text = " ".join(str(r.text).split())
        wrapped = textwrap.wrap(text, room) or [""]
        if len(wrapped) > 2:
            wrapped = wrapped[:1] + [textwrap.shorten(" ".join(wrapped[1:]), room, placeholder=" …")]
        lines += [indent + "\u201c" + wrapped[0]] + [indent + w for w in wrapped[1:]]
        lines[-1] += "\u201d"
        why = "; ".join(list(r.reasons)[:3]) if r.reasons is not None else ""
        lines.append(indent + textwrap.shorten("why: " + why, room, placeholder=" …"))
        lines.append(indent + textwrap.shorten("do: " + str(r.reason), room, placeholder=" …"))
    return lines


def run(args: argparse.Namespace) -> int:
    """Run ``roi listen`` with the parsed ``args``; return the exit code."""
    import roi
    from roi.cli._output import print_json, records
    from roi.errors import ParameterError
    from roi.listening import triage_queue

    if not args.store or not args.handles:
        raise ParameterError("--store and --handles are required for the queue, e.g. roi listen --store data/processed "
                             "--handles acme,acmecustserv (or use a subcommand: train, evaluate, weights)")
    handles = _split(args.handles)
    if not handles:
        raise ParameterError("--handles: expected the brand's handles, e.g. acme,acmecustserv")
    if args.limit < 0:
        raise ParameterError(f"--limit {args.limit}: expected 0 or more")
    model = _model(args.model)
    out_path = _out_path(args.out, ".csv") if args.out else None
    ds = roi.load(args.store)
    queue = triage_queue(ds, handles=handles, brand_terms=_split(args.brand_terms), vocabulary=_split(args.topics),
                         since=args.since, until=args.until, window_hours=args.window_hours,
                         follower_threshold=args.follower_threshold, pagerank_top=args.pagerank_top, model=model)
    cover = dict(queue.attrs)
    notes = []
    if cover.get("not_scored"):
        notes.append(f"{cover['not_scored']:,} of {cover['mentions']:,} brand mention(s) not scored (not English): "
                     "neither complaints nor not")
    for h in cover.get("handles_without_profile", []):
        notes.append(f"@{h} has no profile in the store: its mentions are matched by the handle's text")
    if out_path is not None:
        export = queue.assign(label="")
        export["complaint_terms"] = ["; ".join(v) if v is not None else "" for v in export["complaint_terms"].tolist()]
        export["reasons"] = ["; ".join(v) if v is not None else "" for v in export["reasons"].tolist()]
        export["earlier_topics"] = ["; ".join(v) if v is not None else "" for v in export["earlier_topics"].tolist()]
        export.to_csv(out_path, index=False)
    if args.json:
        out = queue[_JSON_KEYS].copy()
        out["complaint_terms"] = [list(v) if v is not None else [] for v in out["complaint_terms"].tolist()]
        out["reasons"] = [list(v) if v is not None else [] for v in out["reasons"].tolist()]
        print_json(records(out))
        for note in notes:
            print(f"roi listen: {note}", file=sys.stderr)
        return 0
    counts = queue["action"].value_counts()
    summary = ", ".join(f"{word} {int(counts.get(a, 0))}" for a, word in _ACTION_WORDS.items())
    print(f"{len(queue)} complaint(s) about @{', @'.join(h.lstrip('@') for h in handles)} "
          f"among {cover.get('mentions', 0):,} mention(s): {summary}")
    for note in notes:
        print(f"Note: {note}.")
    if out_path is not None:
        print(f"Wrote {len(queue)} row(s) to {out_path} (fill the label column to train: roi listen train).")
    if len(queue) and args.limit:
        ordered = queue.assign(_u=queue["action"].map(_URGENCY)).sort_values(["_u", "created_at"], kind="stable")
        width = shutil.get_terminal_size((110, 24)).columns
        print("Most urgent first:")
        print("\n".join(_compact(ordered, width=min(max(width, 70), 160), limit=args.limit)))
        if len(queue) > args.limit:
            print(f"... and {len(queue) - args.limit} more (all in --out FILE.csv or --json).")
    return 0


def _out_path(value: str, suffix: str):
    from pathlib import Path

    from roi.errors import ParameterError

    p = Path(value)
    if p.suffix.casefold() != suffix:
        raise ParameterError(f"--out {value}: expected a {suffix} file name")
    if not p.parent.is_dir():
        raise ParameterError(f"--out {value}: folder {p.parent} does not exist")
    return p


def run_train(args: argparse.Namespace) -> int:
    """Run ``roi listen train`` with the parsed ``args``; return the exit code."""
    from roi.cli._output import print_json
    from roi.listening import read_labels, save_model, train_model
    from roi.listening.learn import cross_validate

    out = _out_path(args.out, ".json")
    labels = read_labels(args.labels)
    texts, y, langs = labels["text"].tolist(), labels["label"].to_numpy(), labels["lang"].tolist()
    figures = None
    if args.cv is not None:
        figures, _ = cross_validate(texts, y, k=args.cv, langs=langs, ngrams=not args.features_only)
    model = train_model(texts, y, langs=langs, ngrams=not args.features_only,
                        description=f"trained by roi listen train on {args.labels}")
    save_model(model, out)
    result = {"model": str(out), "examples": model.trained["examples"], "complaints": model.trained["complaints"],
              "not_scored": model.trained["not_scored"]}
    if figures is not None:
        result.update(figures)
    if args.json:
        print_json(result)
        return 0
    print(f"Trained on {result['examples']:,} labelled post(s) ({result['complaints']:,} complaints); "
          f"{result['not_scored']:,} not scored (not English). Wrote {out}.")
    if figures is not None:
        print(f"{figures['folds']}-fold cross-validation (stratified; mean ± sd over folds):")
        for key in ("precision", "recall", "f1"):
            print(f"  {key:<9} {figures[key]:.3f} ± {figures[key + '_std']:.3f}")
        print(f"  per fold: {figures['n']:.0f} posts, tp {figures['tp']:.1f}, fp {figures['fp']:.1f}, "
              f"fn {figures['fn']:.1f}, tn {figures['tn']:.1f} (means)")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``roi listen evaluate`` with the parsed ``args``; return the exit code."""
    from roi.cli._output import print_json
    from roi.listening import evaluate, read_labels

    model = _model(args.model)
    labels = read_labels(args.labels)
    r = evaluate(labels["text"].tolist(), labels["label"].to_numpy(), model=model, langs=labels["lang"].tolist())
    if args.json:
        print_json(r)
        return 0
    which = args.model or "the default detector"
    print(f"{which} on {r['n']:,} labelled post(s) ({r['complaints']:,} complaints); "
          f"{r['not_scored']:,} not scored (not English) and left out.")
    print(f"  precision {_percent(r['precision'])}  ({r['tp']} of {r['tp'] + r['fp']} flagged are complaints)")
    print(f"  recall    {_percent(r['recall'])}  ({r['tp']} of {r['tp'] + r['fn']} complaints flagged)")
    print(f"  F1        {_percent(r['f1'])}")
    print(f"  confusion: tp {r['tp']}, fp {r['fp']}, fn {r['fn']}, tn {r['tn']}")
    return 0


def run_weights(args: argparse.Namespace) -> int:
    """Run ``roi listen weights`` with the parsed ``args``; return the exit code."""
    from roi.cli._output import print_json, print_table, records
    from roi.listening import default_model, model_weights

    model = _model(args.model) or default_model()
    table = model_weights(model)
    if args.json:
        print_json(records(table))
        return 0
    n = 0 if model.ngrams is None else len(model.ngrams["indices"])
    print(f"Complaint detector: probability = logistic(baseline + sum of weights of the features present); "
          f"complaint at >= {model.threshold:.0%}." + (f" Plus {n:,} hashed n-gram weights." if n else ""))
    print_table(table.assign(weight=table["weight"].map(lambda w: f"{w:+.2f}")), max_rows=100)
    return 0
