import ArgumentParser
import Foundation
import Models
import Training

/// `dtrn models`: the model zoo with parameter counts on the default (synthetic) data.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models with a one-line description and their parameter count on the default data.")

    func run() throws {
        try reportingErrors {
            let schema = try DataSource().syntheticSchema()
            let layout = FeatureLayout(schema)
            var rows: [(String, Int, String)] = []
            for entry in ModelZoo.entries {
                var config = ModelConfig()
                config.model = entry.name
                if entry.name == "dtrn" {
                    for backbone in ModelZoo.dtrnBackbones {
                        config.backbone = backbone
                        let model = try ModelZoo.make(config, layout: layout, seed: 1)
                        rows.append(("dtrn --backbone \(backbone)", model.parameterCount, backbone == "towers" ? entry.summary : ""))
                    }
                } else {
                    rows.append((entry.name, try ModelZoo.make(config, layout: layout, seed: 1).parameterCount, entry.summary))
                }
            }
            let width = rows.map(\.0.count).max() ?? 0
            print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  parameters  description")
            for (name, count, summary) in rows {
                let n = String(count)
                print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                      + String(repeating: " ", count: max(0, 10 - n.count)) + n + "  " + summary)
            }
        }
    }
}
