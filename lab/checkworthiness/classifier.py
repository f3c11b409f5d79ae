"""The check-worthiness network: packaged all-MiniLM-L6-v2 encoder, mean pooling, a linear head.

The shipped artefact holds only what training changed — low-rank (LoRA) updates of the encoder's
linear layers and the head — so it stays a few hundred kilobytes instead of the encoder's 90 MB.
Loading adds the updates into a fresh copy of the packaged encoder. A fully fine-tuned encoder
(`lora_rank` 0 in the metadata) is saved whole instead: about 45 MB in float16. This module needs torch;
the product runs the int8 ONNX file built from it once (`build_checkworthiness_onnx`) and shipped in
claims/extraction/weights/.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from claims.extraction.checkworthiness import base_model_path

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
ARTEFACT_PATH = WEIGHTS_DIR / "checkworthiness.safetensors"
METADATA_PATH = WEIGHTS_DIR / "checkworthiness.json"
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update `scale * B @ A`."""

    def __init__(self, base: nn.Linear, *, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.randn(rank, base.in_features) * (1.0 / base.in_features) ** 0.5)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.base(inputs) + (inputs @ self.lora_A.T @ self.lora_B.T) * self.scale


class CheckworthinessClassifier(nn.Module):
    """Sentence -> logit of being check-worthy."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.head(pooled).squeeze(-1)


class ProbabilityModel(nn.Module):
    """What gets exported: probabilities instead of logits, so runtimes need no extra maths."""

    def __init__(self, classifier: CheckworthinessClassifier) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.classifier(input_ids, attention_mask))


@dataclass(frozen=True)
class Metadata:
    """Shipped next to the weights: decision thresholds (fp32 and int8 exports), how it was trained."""

    threshold: float
    threshold_int8: float
    max_length: int
    lora_rank: int
    lora_alpha: float
    base_model: str
    training: dict[str, Any]

    @classmethod
    def read(cls, path: Path = METADATA_PATH) -> "Metadata":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def write(self, path: Path = METADATA_PATH) -> None:
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_encoder() -> nn.Module:
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(base_model_path()))


def add_lora(classifier: CheckworthinessClassifier, *, rank: int, alpha: float) -> list[nn.Parameter]:
    """Freeze the encoder, wrap its linear layers with LoRA; return the trainable parameters."""
    for parameter in classifier.encoder.parameters():
        parameter.requires_grad = False
    trainable: list[nn.Parameter] = []
    for layer in classifier.encoder.encoder.layer:
        for target in LORA_TARGETS:
            parent_name, _, attribute = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            wrapped = LoRALinear(getattr(parent, attribute), rank=rank, alpha=alpha)
            setattr(parent, attribute, wrapped)
            trainable += [wrapped.lora_A, wrapped.lora_B]
    trainable += list(classifier.head.parameters())
    return trainable


def trained_tensors(classifier: CheckworthinessClassifier) -> dict[str, torch.Tensor]:
    """LoRA factors and head weights, keyed by the name of the parameter they change; every
    parameter when the encoder was fine-tuned in full (no LoRA layers)."""
    if not any(isinstance(module, LoRALinear) for module in classifier.modules()):
        return {name: parameter.detach().clone().contiguous() for name, parameter in classifier.named_parameters()}
    tensors: dict[str, torch.Tensor] = {}
    for name, module in classifier.named_modules():
        if isinstance(module, LoRALinear):
            base_name = name.removeprefix("encoder.")
            tensors[f"{base_name}.weight.lora_A"] = module.lora_A.detach().clone().contiguous()
            tensors[f"{base_name}.weight.lora_B"] = module.lora_B.detach().clone().contiguous()
    tensors["head.weight"] = classifier.head.weight.detach().clone().contiguous()
    tensors["head.bias"] = classifier.head.bias.detach().clone().contiguous()
    return tensors


def restore_trained_tensors(classifier: CheckworthinessClassifier, tensors: dict[str, torch.Tensor]) -> None:
    """Put tensors from `trained_tensors` back into a LoRA-wrapped classifier (e.g. the best epoch's)."""
    parameters = dict(classifier.named_parameters())
    with torch.no_grad():
        for name, tensor in tensors.items():
            if name in parameters:
                parameters[name].copy_(tensor)
            else:
                module_name, _, factor = name.rpartition(".weight.")
                parameters[f"encoder.{module_name}.{factor}"].copy_(tensor)


def read_trained_tensors(*, directory: Path = WEIGHTS_DIR) -> dict[str, torch.Tensor]:
    """A saved artefact's tensors in float32, as `restore_trained_tensors` takes them (to resume training)."""
    from safetensors.torch import load_file

    return {name: tensor.float() for name, tensor in load_file(str(directory / ARTEFACT_PATH.name)).items()}


def save_artefact(classifier: CheckworthinessClassifier, metadata: Metadata, *, directory: Path = WEIGHTS_DIR) -> None:
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.to(torch.float16) for name, tensor in trained_tensors(classifier).items()}
    artefact = directory / ARTEFACT_PATH.name
    save_file(tensors, str(artefact), metadata={"base_model": metadata.base_model})
    # safetensors writes owner-only files; the artefact ships with the package and must be readable.
    artefact.chmod(0o644)
    metadata.write(directory / METADATA_PATH.name)


def load_classifier(*, directory: Path = WEIGHTS_DIR) -> tuple[CheckworthinessClassifier, Metadata]:
    """The packaged encoder with the shipped updates merged in, in evaluation mode."""
    from safetensors.torch import load_file

    metadata = Metadata.read(directory / METADATA_PATH.name)
    tensors = load_file(str(directory / ARTEFACT_PATH.name))
    classifier = CheckworthinessClassifier(load_encoder())
    if metadata.lora_rank == 0:
        # Fully fine-tuned: the artefact holds every parameter.
        classifier.load_state_dict({name: tensor.float() for name, tensor in tensors.items()}, strict=False)
        classifier.eval()
        return classifier, metadata
    scale = metadata.lora_alpha / metadata.lora_rank
    encoder_parameters = dict(classifier.encoder.named_parameters())
    with torch.no_grad():
        for name, tensor in tensors.items():
            if name.endswith(".lora_A"):
                target = name.removesuffix(".lora_A")
                update = tensors[f"{target}.lora_B"].float() @ tensor.float()
                encoder_parameters[target].add_(update * scale)
            elif name.startswith("head."):
                classifier.head.get_parameter(name.removeprefix("head.")).copy_(tensor.float())
    classifier.eval()
    return classifier, metadata


def export_onnx(classifier: CheckworthinessClassifier, path: Path) -> None:
    """Export sentence -> probability with dynamic batch and sequence axes (opset 17)."""
    model = ProbabilityModel(classifier).eval()
    sample_ids = torch.ones((2, 8), dtype=torch.long)
    sample_mask = torch.ones((2, 8), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (sample_ids, sample_mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["probability"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "probability": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
