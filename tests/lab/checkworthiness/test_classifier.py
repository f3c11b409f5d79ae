from pathlib import Path

import numpy as np
import torch

from claims.extraction.checkworthiness import base_model_path, base_model_version
from lab.checkworthiness import classifier as network

SENTENCES = [
    "Unemployment fell to 3.5 percent last year.",
    "Thank you very much.",
    "We have cut taxes for 90 percent of working families.",
]


def _tokens(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))
    batch = tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
    return batch["input_ids"], batch["attention_mask"]


def _metadata() -> network.Metadata:
    return network.Metadata(
        threshold=0.5,
        threshold_int8=0.5,
        max_length=64,
        lora_rank=4,
        lora_alpha=8.0,
        base_model=base_model_version(),
        training={},
    )


def test_it_reloads_saved_low_rank_updates_into_a_plain_encoder(tmp_path: Path) -> None:
    torch.manual_seed(0)
    trained = network.CheckworthinessClassifier(network.load_encoder())
    network.add_lora(trained, rank=4, alpha=8.0)
    with torch.no_grad():
        for module in trained.modules():
            if isinstance(module, network.LoRALinear):
                module.lora_B.normal_(std=0.05)
        trained.head.weight.normal_(std=0.5)
    trained.eval()
    input_ids, attention_mask = _tokens(SENTENCES)
    with torch.no_grad():
        expected = trained(input_ids, attention_mask).numpy()

    network.save_artefact(trained, _metadata(), directory=tmp_path)
    reloaded, metadata = network.load_classifier(directory=tmp_path)
    with torch.no_grad():
        actual = reloaded(input_ids, attention_mask).numpy()

    assert metadata.lora_rank == 4
    assert not any(isinstance(module, network.LoRALinear) for module in reloaded.modules())
    # Saved in float16, so the logits agree to a few thousandths, not bit for bit.
    np.testing.assert_allclose(actual, expected, atol=2e-2)
    assert np.ptp(expected) > 0.1


def test_it_ships_only_the_trained_tensors_which_stay_small(tmp_path: Path) -> None:
    trained = network.CheckworthinessClassifier(network.load_encoder())
    network.add_lora(trained, rank=16, alpha=32.0)
    network.save_artefact(trained, _metadata(), directory=tmp_path)
    size = (tmp_path / network.ARTEFACT_PATH.name).stat().st_size
    assert size < 3 * 1024 * 1024
    assert (tmp_path / network.METADATA_PATH.name).exists()


def test_it_reloads_a_fully_fine_tuned_encoder(tmp_path: Path) -> None:
    torch.manual_seed(0)
    trained = network.CheckworthinessClassifier(network.load_encoder())
    with torch.no_grad():
        trained.encoder.encoder.layer[0].attention.self.query.weight.mul_(1.5)
        trained.head.weight.normal_(std=0.5)
    trained.eval()
    input_ids, attention_mask = _tokens(SENTENCES)
    with torch.no_grad():
        expected = trained(input_ids, attention_mask).numpy()
        untouched = network.CheckworthinessClassifier(network.load_encoder())
        untouched.head.load_state_dict(trained.head.state_dict())
        before_change = untouched.eval()(input_ids, attention_mask).numpy()

    metadata = network.Metadata(**{**_metadata().__dict__, "lora_rank": 0})
    network.save_artefact(trained, metadata, directory=tmp_path)
    reloaded, _ = network.load_classifier(directory=tmp_path)
    with torch.no_grad():
        actual = reloaded(input_ids, attention_mask).numpy()

    np.testing.assert_allclose(actual, expected, atol=2e-2)
    # The changed encoder weight matters, so agreeing means it was reloaded.
    assert np.abs(expected - before_change).max() > 0.05
