import NN
import Tensor

/// The models this package trains, by name.
public enum ModelZoo {
    /// A zoo entry.
    public struct Entry: Sendable {
        /// The name used on the command line and in configs.
        public var name: String
        /// One line on what it is.
        public var summary: String
    }

    /// Every model, in the order `dtrn models` lists them.
    public static let entries: [Entry] = [
        Entry(name: "dtrn", summary: "DTRN: task-specific interests (hypernetwork-conditioned Transformer) and per-task field gates under a backbone"),
        Entry(name: "single-task", summary: "one independent DNN per task (no sharing)"),
        Entry(name: "shared-bottom", summary: "Shared-Bottom: one shared MLP, a tower per task"),
        Entry(name: "omoe", summary: "OMoE: shared experts mixed by one gate for all tasks"),
        Entry(name: "mmoe", summary: "MMoE (Ma et al., KDD 2018): shared experts, one softmax gate per task"),
        Entry(name: "cgc", summary: "CGC: task-specific and shared experts, one extraction level"),
        Entry(name: "ple", summary: "PLE (Tang et al., RecSys 2020): multi-level progressive layered extraction"),
        Entry(name: "cross-stitch", summary: "Cross-Stitch (Misra et al., CVPR 2016): one MLP column per task, mixed by learned cross-stitch units"),
        Entry(name: "esmm", summary: "ESMM (Ma et al., SIGIR 2018): pCTCVR = pCTR · pCVR over all impressions (two tasks: click, click-and-convert)"),
        Entry(name: "aitm", summary: "AITM (Xi et al., KDD 2021): adaptive information transfer along the conversion funnel, with a calibrator"),
    ]

    /// The backbones DTRN can sit under.
    public static let dtrnBackbones = ["towers", "shared-bottom", "mmoe", "ple"]

    /// Builds model `config.model` for `layout`, its initial weights drawn from `seed`.
    public static func make(_ config: ModelConfig, layout: FeatureLayout, seed: UInt64) throws -> MultiTaskModel {
        var generator = RandomGenerator(seed: seed)
        switch config.model {
        case "dtrn":
            return try DTRNModel(layout: layout, config: config, generator: &generator)
        case "single-task":
            return SingleTaskModel(layout: layout, config: config, generator: &generator)
        case "shared-bottom", "omoe", "mmoe", "cgc", "ple", "cross-stitch":
            return try BaselineModel(layout: layout, backbone: config.model, config: config, generator: &generator)
        case "esmm":
            return try ESMMModel(layout: layout, config: config, generator: &generator)
        case "aitm":
            return try AITMModel(layout: layout, config: config, generator: &generator)
        default:
            throw ModelError.unknownModel(config.model, known: entries.map(\.name))
        }
    }

    /// The multi-task part `name` for per-task inputs of width `inputSize`.
    static func makeBackbone(_ name: String, tasks: Int, inputSize: Int, config: ModelConfig,
                             generator: inout RandomGenerator) throws -> any Backbone {
        let style = config.layerStyle
        switch name {
        case "towers":
            // No sharing above the bottom: each task's tower is a whole single-task DNN.
            return Towers(tasks: tasks, inputSize: inputSize, hidden: config.bottomHidden + config.towerHidden,
                          style: style, generator: &generator)
        case "shared-bottom":
            return SharedBottomBackbone(tasks: tasks, inputSize: inputSize, bottomHidden: config.bottomHidden,
                                        towerHidden: config.towerHidden, style: style, generator: &generator)
        case "mmoe", "omoe":
            return MixtureOfExpertsBackbone(tasks: tasks, inputSize: inputSize, expertCount: config.expertCount,
                                            expertHidden: config.expertHidden, towerHidden: config.towerHidden,
                                            gatePerTask: name == "mmoe", style: style, generator: &generator)
        case "ple", "cgc":
            return ProgressiveLayeredExtractionBackbone(
                tasks: tasks, inputSize: inputSize, levelCount: name == "cgc" ? 1 : config.levels,
                taskExpertCount: config.taskExpertCount, sharedExpertCount: config.sharedExpertCount,
                expertHidden: config.expertHidden, towerHidden: config.towerHidden, style: style,
                generator: &generator)
        case "cross-stitch":
            return CrossStitchBackbone(tasks: tasks, inputSize: inputSize, columnHidden: config.bottomHidden,
                                       towerHidden: config.towerHidden, style: style, generator: &generator)
        default:
            throw ModelError.unknownBackbone(name, known: dtrnBackbones)
        }
    }
}

/// A model that cannot be built as configured.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case unknownBackbone(String, known: [String])
    /// The layout's tasks do not fit the model: `requirement` says what it needs.
    case unsupportedTasks(model: String, requirement: String, tasks: [String])

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case .unknownBackbone(let name, let known):
            "unknown backbone '\(name)'; known backbones: \(known.joined(separator: ", "))"
        case .unsupportedTasks(let model, let requirement, let tasks):
            "model '\(model)' needs \(requirement); the layout has \(tasks.count) task(s): \(tasks.joined(separator: ", "))"
        }
    }
}
