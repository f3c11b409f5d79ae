"""Would a statically quantised check-worthiness model, scored in batches, be faster than the shipped one?

The shipped model is dynamically quantised (int8 activations with one scale per run), so it scores
each sentence in a run of its own. Static quantisation fixes the activation scales by calibration,
so a sentence's score no longer depends on its batch-mates and sentences could be scored in
length-sorted batches. This builds the variants from the trained weights (torch export, then
`onnxruntime.quantization.quantize_static` calibrated one sentence per run on training sentences)
and prints, for each, in one process:

- sentences per CPU second on one thread, on news sentences and on dev debate sentences (CPU time,
  not wall time, because the machine is shared);
- agreement with the fp32 export on the dev sentences (mean, 99th percentile and largest difference);
- F1 on the dev-test sentences at the best threshold (test is not read);
- batch invariance: the largest difference between a sentence scored in a batch and alone.

This is a measuring tool, not part of the product (it needs torch for the export).

    python scripts/probe_checkworthiness_quantisation.py --data ../shared/data/check_worthiness/checkthat2024_task1_en
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

NEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "news" / "bbc_news_2225" / "articles.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="The CheckThat! 2024 folder (train.jsonl, dev.jsonl).")
    parser.add_argument("--news", default=str(NEWS), help="A JSONL file of {text} articles, for speed.")
    parser.add_argument("--calibration", type=int, default=500, help="Training sentences to calibrate on.")
    parser.add_argument("--speed-sentences", type=int, default=700)
    args = parser.parse_args()

    import django

    django.setup()
    import onnx
    import onnxruntime
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from tokenizers import Tokenizer

    from claims.extraction.checkworthiness import WEIGHTS_DIR, _length_batches, base_model_path
    from claims.extraction.sentences import split_sentences
    from lab.checkworthiness.classifier import export_onnx, load_classifier
    from lab.checkworthiness.evaluation import best_threshold, load_split

    tokenizer = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=96)
    tokenizer.no_padding()

    def feeds(rows: list[list[int]]) -> dict[str, np.ndarray]:
        width = max(len(ids) for ids in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(rows):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

    def scores(session: Any, texts: list[str], *, batched: bool) -> np.ndarray:
        encoded = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
        result = np.zeros(len(texts), dtype=np.float32)
        lengths = [len(ids) for ids in encoded]
        batches = _length_batches(lengths) if batched else [[index] for index in range(len(encoded))]
        for indexes in batches:
            result[indexes] = session.run(None, feeds([encoded[index] for index in indexes]))[0]
        return result

    def session(path: Path) -> Any:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    train = load_split(Path(args.data), "train")
    dev = load_split(Path(args.data), "dev")
    dev_texts = [sentence.text for sentence in dev]
    selection = np.array([sentence.official_split == "dev-test" for sentence in dev])
    labels = np.array([sentence.label for sentence in dev])
    rng = np.random.default_rng(13)
    calibration = [train[index].text for index in rng.choice(len(train), args.calibration, replace=False)]
    articles = [json.loads(line)["text"] for line in Path(args.news).read_text(encoding="utf-8").splitlines()[:200]]
    news = [span.text for text in articles for span in split_sentences(text)][: args.speed_sentences]
    debate = dev_texts[: args.speed_sentences]

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._rows = iter([feeds([encoding.ids]) for encoding in tokenizer.encode_batch(calibration)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._rows, None)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fp32 = folder / "fp32.onnx"
        classifier, _ = load_classifier()
        export_onnx(classifier, fp32)
        graph = onnx.load(str(fp32)).graph
        initialisers = {tensor.name for tensor in graph.initializer}
        # query @ key and attention @ value multiply two activations: left in fp32 in every variant.
        two_activations = [
            node.name
            for node in graph.node
            if node.op_type == "MatMul" and not any(name in initialisers for name in node.input)
        ]
        feed_forward_out = {
            layer: node.name
            for node in graph.node
            if node.name.endswith("/output/dense/MatMul") and "/attention/" not in node.name
            for layer in range(6)
            if f"/layer.{layer}/" in node.name
        }

        def static(name: str, *, activation: Any, reduce_range: bool, fp32_nodes: list[str]) -> Callable[[], Path]:
            def build() -> Path:
                target = folder / f"{name}.onnx"
                quantize_static(
                    str(fp32),
                    str(target),
                    Reader(),
                    quant_format=QuantFormat.QDQ,
                    activation_type=activation,
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    reduce_range=reduce_range,
                    op_types_to_quantize=["MatMul"],
                    nodes_to_exclude=two_activations + fp32_nodes,
                )
                return target

            return build

        variants: list[tuple[str, Callable[[], Path], bool]] = [
            ("shipped dynamic int8, one per run", lambda: WEIGHTS_DIR / "checkworthiness.int8.onnx", False),
            ("fp32, batched", lambda: fp32, True),
            (
                "static s8s8, batched",
                static("s8s8", activation=QuantType.QInt8, reduce_range=False, fp32_nodes=[]),
                True,
            ),
            (
                "static u8s7, batched",
                static("u8s7", activation=QuantType.QUInt8, reduce_range=True, fp32_nodes=[]),
                True,
            ),
            (
                "static u8s7 (FFN out of layers 0-2 fp32), batched",
                static(
                    "u8s7_mixed",
                    activation=QuantType.QUInt8,
                    reduce_range=True,
                    fp32_nodes=[feed_forward_out[layer] for layer in (0, 1, 2)],
                ),
                True,
            ),
        ]
        reference = scores(session(fp32), dev_texts, batched=True)
        sample = dev_texts[:300]
        print(
            f"{'variant':52s} {'news/s':>7s} {'dev/s':>7s} {'mean|d|':>8s} {'p99|d|':>7s} {'max|d|':>7s}"
            f" {'dev-test F1':>11s} {'batch vs alone':>14s} {'MB':>5s}"
        )
        for name, build, batched in variants:
            path = build()
            runner = session(path)
            speeds = []
            for texts in (news, debate):
                started = time.process_time()
                scores(runner, texts, batched=batched)
                speeds.append(len(texts) / (time.process_time() - started))
            dev_scores = scores(runner, dev_texts, batched=batched)
            difference = np.abs(dev_scores - reference)
            threshold, f1 = best_threshold(labels=labels[selection], scores=dev_scores[selection])
            invariance = float(
                np.abs(scores(runner, sample, batched=True) - scores(runner, sample, batched=False)).max()
            )
            print(
                f"{name:52s} {speeds[0]:7.1f} {speeds[1]:7.1f} {difference.mean():8.4f}"
                f" {np.quantile(difference, 0.99):7.3f} {difference.max():7.3f} {f1:6.4f}@{threshold:.2f}"
                f" {invariance:14.6f} {path.stat().st_size / 1e6:5.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
