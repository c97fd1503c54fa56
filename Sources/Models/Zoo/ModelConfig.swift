import NN

/// Every knob of every model in the zoo, with defaults; read from YAML/JSON configs and
/// overridden by command-line options. A model reads only the fields that concern it.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The zoo entry (see ``ModelZoo``).
    public var model = "dtrn"
    /// The multi-task part under DTRN's bottom: `towers`, `shared-bottom`, `mmoe`, `ple`.
    public var backbone = "towers"
    /// The embedding width d.
    public var embeddingDimension = 16
    /// Shared-Bottom's shared MLP widths; also Cross-Stitch's columns and the first layers of
    /// the single-task and ESMM towers.
    public var bottomHidden = [128, 64]
    /// Each expert's MLP widths (MMoE, OMoE, CGC, PLE).
    public var expertHidden = [128, 64]
    /// The number of shared experts of MMoE and OMoE.
    public var expertCount = 4
    /// PLE/CGC: experts per task.
    public var taskExpertCount = 2
    /// PLE/CGC: shared experts.
    public var sharedExpertCount = 1
    /// PLE: extraction levels (CGC has one).
    public var levels = 2
    /// Each task tower's hidden widths (a final `→ 1` layer is added).
    public var towerHidden = [64]
    /// The nonlinearity of every hidden layer.
    public var activation = Activation.relu
    /// Batch normalisation after every hidden layer (`Linear → BatchNorm → activation`).
    public var batchNorm = false
    /// Dropout after every hidden layer.
    public var dropout: Float = 0
    /// The initial-weight rules: `standard` (He/Glorot) or `pytorch` (PyTorch's defaults, as
    /// torch-rechub's models start).
    public var initialization = WeightInitialization.standard
    /// DTRN: attention heads of the interest encoder.
    public var heads = 2
    /// DTRN: hidden width of the encoder's feed-forward layer.
    public var feedForwardHidden = 32
    /// DTRN: width of the task and behaviour-type embeddings `z_t`, `c_b`.
    public var conditionDimension = 8
    /// DTRN: hidden widths of the hypernetwork.
    public var hypernetworkHidden = [32]
    /// DTRN: condition the encoder's layer norms on (task, behaviour) (false: the w/o TIM ablation).
    public var taskSpecificInterest = true
    /// DTRN: per-task SENet gates over the fields (false: the w/o TRM ablation).
    public var representationRefinement = true
    /// DTRN: a separate encoder per (task, behaviour) instead of the hypernetwork.
    public var separateEncoders = false
    /// DTRN: the SENet bottleneck ratio r.
    public var gateReduction = 2
    /// DTRN: the gate function.
    public var gateKind = FieldGate.Kind.sigmoid
    /// DTRN: how the encoder output is pooled.
    public var pooling = SequencePooling.targetAttention
    /// AITM: the weight α of the behavioural expectation calibrator.
    public var calibratorWeight: Float = 0.6

    /// The defaults.
    public init() {}

    /// The hidden-layer style these settings describe.
    public var layerStyle: LayerStyle {
        LayerStyle(activation: activation, batchNorm: batchNorm, dropout: dropout, initialization: initialization)
    }
}

extension ModelConfig {
    /// Decodes the keys present and keeps the defaults for the others, so that configurations
    /// and checkpoints written before a setting existed still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        self.init()
        model = try value(.model, model)
        backbone = try value(.backbone, backbone)
        embeddingDimension = try value(.embeddingDimension, embeddingDimension)
        bottomHidden = try value(.bottomHidden, bottomHidden)
        expertHidden = try value(.expertHidden, expertHidden)
        expertCount = try value(.expertCount, expertCount)
        taskExpertCount = try value(.taskExpertCount, taskExpertCount)
        sharedExpertCount = try value(.sharedExpertCount, sharedExpertCount)
        levels = try value(.levels, levels)
        towerHidden = try value(.towerHidden, towerHidden)
        activation = try value(.activation, activation)
        batchNorm = try value(.batchNorm, batchNorm)
        dropout = try value(.dropout, dropout)
        initialization = try value(.initialization, initialization)
        heads = try value(.heads, heads)
        feedForwardHidden = try value(.feedForwardHidden, feedForwardHidden)
        conditionDimension = try value(.conditionDimension, conditionDimension)
        hypernetworkHidden = try value(.hypernetworkHidden, hypernetworkHidden)
        taskSpecificInterest = try value(.taskSpecificInterest, taskSpecificInterest)
        representationRefinement = try value(.representationRefinement, representationRefinement)
        separateEncoders = try value(.separateEncoders, separateEncoders)
        gateReduction = try value(.gateReduction, gateReduction)
        gateKind = try value(.gateKind, gateKind)
        pooling = try value(.pooling, pooling)
        calibratorWeight = try value(.calibratorWeight, calibratorWeight)
    }
}
