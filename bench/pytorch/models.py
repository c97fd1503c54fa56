"""Plain-PyTorch MMoE, PLE and Shared-Bottom built as dtrn builds them, and the same models
from torch-rechub, for the speed comparison in bench.py.

The plain models follow Sources/Models: every categorical field has a d-wide embedding,
every numeric field x becomes x * w_f (one learned d-vector per field), the flattened
fields feed the backbone; hidden layers are Linear -> BatchNorm -> ReLU and gates
Linear -> BatchNorm -> softmax (as torch-rechub's); towers end in a linear read-out whose
logit goes through a sigmoid. Like dtrn's ExpertGroup, the first
layer of all experts of a group is one matrix product and deeper expert layers one batched
product; the per-task gates of MMoE are one product too.

torch-rechub's models feed numeric fields in as raw values (one input each) and run one
small MLP per expert.
"""

import torch
from torch import nn

# dtrn's presets (Sources/dtrn/Run/RunOptions.swift, `Preset`) and the ModelConfig defaults
# they leave unchanged.
PRESETS = {
    "rechub": dict(embedding=4, expert_count=8, expert_hidden=[16], levels=1, task_experts=2, shared_experts=1,
                   bottom_hidden=[117], tower_hidden=[8], learning_rate=1e-3, weight_decay=1e-4, batch_size=1024),
    "large": dict(embedding=16, expert_count=4, expert_hidden=[256, 128], levels=2, task_experts=2, shared_experts=2,
                  bottom_hidden=[512, 256], tower_hidden=[64], learning_rate=1e-3, weight_decay=0.0, batch_size=1024),
}

MODELS = ["mmoe", "ple", "shared-bottom"]


def hidden_block(inputs, outputs):
    """Linear -> BatchNorm -> ReLU."""
    return [nn.Linear(inputs, outputs), nn.BatchNorm1d(outputs), nn.ReLU()]


def gate(inputs, experts):
    """Gate logits: Linear -> BatchNorm (the softmax is applied in `mix`)."""
    return nn.Sequential(nn.Linear(inputs, experts), nn.BatchNorm1d(experts))


def mlp(inputs, hidden, read_out=False):
    """Hidden blocks of the given widths, then a linear read-out to one logit when asked."""
    layers, width = [], inputs
    for size in hidden:
        layers += hidden_block(width, size)
        width = size
    if read_out:
        layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


class FieldInput(nn.Module):
    """[N, (categorical + numeric) * d]: one table per categorical field (stored as one
    table with row offsets, so the lookup is a single gather) and x * w_f per numeric field."""

    def __init__(self, vocabulary_sizes, numeric_count, d):
        super().__init__()
        offsets = torch.tensor([0] + vocabulary_sizes[:-1]).cumsum(0)
        self.register_buffer("offsets", offsets)
        self.table = nn.Embedding(sum(vocabulary_sizes), d)
        nn.init.normal_(self.table.weight, std=0.05)
        self.numeric_vectors = nn.Parameter(torch.empty(numeric_count, d))
        nn.init.xavier_uniform_(self.numeric_vectors)
        self.width = (len(vocabulary_sizes) + numeric_count) * d

    def forward(self, categorical, numeric):
        n = categorical.shape[0]
        fields = self.table(categorical + self.offsets)
        numbers = numeric.unsqueeze(2) * self.numeric_vectors
        return torch.cat([fields, numbers], dim=1).reshape(n, -1)


class ExpertGroup(nn.Module):
    """K experts of equal widths: [N, inputs] -> [N, K, hidden[-1]]."""

    def __init__(self, count, inputs, hidden):
        super().__init__()
        self.count = count
        self.first = nn.Sequential(*hidden_block(inputs, count * hidden[0]))
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.norms = nn.ModuleList()
        for a, b in zip(hidden, hidden[1:]):
            w = torch.empty(count, a, b)
            for k in range(count):
                nn.init.xavier_uniform_(w[k])
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(torch.zeros(count, 1, b)))
            self.norms.append(nn.BatchNorm1d(count * b))

    def forward(self, x):
        n = x.shape[0]
        h = self.first(x).reshape(n, self.count, -1)
        if not self.weights:
            return h
        h = h.transpose(0, 1)
        for w, b, norm in zip(self.weights, self.biases, self.norms):
            h = torch.baddbmm(b, h, w)
            h = torch.relu(norm(h.transpose(0, 1).reshape(n, -1))).reshape(n, self.count, -1).transpose(0, 1)
        return h.transpose(0, 1)


def mix(experts, gate_logits):
    """The softmax-gated sum of expert outputs [N, K, d] -> [N, d]."""
    return torch.bmm(torch.softmax(gate_logits, dim=1).unsqueeze(1), experts).squeeze(1)


class MMoE(nn.Module):
    def __init__(self, inputs, tasks, p):
        super().__init__()
        self.tasks, self.k = tasks, p["expert_count"]
        self.experts = ExpertGroup(self.k, inputs, p["expert_hidden"])
        self.gates = gate(inputs, tasks * self.k)
        self.towers = nn.ModuleList(mlp(p["expert_hidden"][-1], p["tower_hidden"], read_out=True) for _ in range(tasks))

    def forward(self, x):
        experts = self.experts(x)
        gates = self.gates(x).split(self.k, dim=1)
        return torch.cat([tower(mix(experts, g)) for tower, g in zip(self.towers, gates)], dim=1)


class PLE(nn.Module):
    def __init__(self, inputs, tasks, p):
        super().__init__()
        self.tasks = tasks
        own, shared, hidden = p["task_experts"], p["shared_experts"], p["expert_hidden"]
        self.levels = nn.ModuleList()
        width = inputs
        for level in range(p["levels"]):
            last = level == p["levels"] - 1
            self.levels.append(nn.ModuleDict(dict(
                own=nn.ModuleList(ExpertGroup(own, width, hidden) for _ in range(tasks)),
                shared=ExpertGroup(shared, width, hidden),
                gates=nn.ModuleList(gate(width, own + shared) for _ in range(tasks)),
                **({} if last else dict(shared_gate=gate(width, tasks * own + shared))))))
            width = hidden[-1]
        self.towers = nn.ModuleList(mlp(width, p["tower_hidden"], read_out=True) for _ in range(tasks))

    def forward(self, x):
        inputs, shared = [x] * self.tasks, x
        for level in self.levels:
            own = [group(h) for group, h in zip(level["own"], inputs)]
            common = level["shared"](shared)
            outputs = [mix(torch.cat([own[t], common], dim=1), level["gates"][t](inputs[t])) for t in range(self.tasks)]
            if "shared_gate" in level:
                shared = mix(torch.cat(own + [common], dim=1), level["shared_gate"](shared))
            inputs = outputs
        return torch.cat([tower(h) for tower, h in zip(self.towers, inputs)], dim=1)


class SharedBottom(nn.Module):
    def __init__(self, inputs, tasks, p):
        super().__init__()
        self.bottom = mlp(inputs, p["bottom_hidden"])
        self.towers = nn.ModuleList(mlp(p["bottom_hidden"][-1], p["tower_hidden"], read_out=True) for _ in range(tasks))

    def forward(self, x):
        h = self.bottom(x)
        return torch.cat([tower(h) for tower in self.towers], dim=1)


class PlainModel(nn.Module):
    """Fields -> backbone -> one logit per task."""

    def __init__(self, name, vocabulary_sizes, numeric_count, tasks, preset):
        super().__init__()
        p = PRESETS[preset]
        self.input = FieldInput(vocabulary_sizes, numeric_count, p["embedding"])
        backbone = {"mmoe": MMoE, "ple": PLE, "shared-bottom": SharedBottom}[name]
        self.backbone = backbone(self.input.width, tasks, p)

    def forward(self, categorical, numeric):
        return self.backbone(self.input(categorical, numeric))


class RechubModel(nn.Module):
    """torch-rechub's MMOE, PLE or SharedBottom with the preset's widths; returns probabilities."""

    def __init__(self, name, categorical_names, vocabulary_sizes, numeric_names, tasks, preset):
        super().__init__()
        from torch_rechub.basic.features import DenseFeature, SparseFeature
        from torch_rechub.models.multi_task import MMOE, PLE, SharedBottom

        p = PRESETS[preset]
        self.categorical_names, self.numeric_names = categorical_names, numeric_names
        features = [SparseFeature(f, vocab_size=v, embed_dim=p["embedding"]) for f, v in zip(categorical_names, vocabulary_sizes)]
        features += [DenseFeature(f) for f in numeric_names]
        types = ["classification"] * tasks
        towers = [{"dims": p["tower_hidden"]} for _ in range(tasks)]
        if name == "mmoe":
            self.model = MMOE(features, types, n_expert=p["expert_count"], expert_params={"dims": p["expert_hidden"]},
                              tower_params_list=towers)
        elif name == "ple":
            self.model = PLE(features, types, n_level=p["levels"], n_expert_specific=p["task_experts"],
                             n_expert_shared=p["shared_experts"], expert_params={"dims": p["expert_hidden"]},
                             tower_params_list=towers)
        else:
            self.model = SharedBottom(features, types, bottom_params={"dims": p["bottom_hidden"]}, tower_params_list=towers)

    def forward(self, categorical, numeric):
        x = {f: categorical[:, j] for j, f in enumerate(self.categorical_names)}
        x.update({f: numeric[:, j] for j, f in enumerate(self.numeric_names)})
        return self.model(x)


def multiply_adds(model):
    """Multiply-adds per sample of the dense products: every nn.Linear and stacked expert
    weight is applied once per sample in these baselines."""
    total = 0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            total += module.in_features * module.out_features
        elif isinstance(module, ExpertGroup):
            total += sum(w.numel() for w in module.weights)
    return total
