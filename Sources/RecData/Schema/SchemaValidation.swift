extension DataSchema {
    /// Checks that the schema is complete and consistent; throws `DataError.invalidSchema` naming the problem.
    ///
    /// Among the checks: unique feature and task names, a label column never used as a feature, every
    /// key that a feature's kind needs, sequences sharing only categorical vocabularies, event-log schemas
    /// with behaviours for their sequences and labels, one-character delimiters and separators.
    public func validate(source: String) throws {
        func fail(_ reason: String) -> DataError { .invalidSchema(source: source, reason: reason) }
        if features.isEmpty { throw fail("no features") }
        if labels.isEmpty { throw fail("no labels") }
        if !isSingleASCII(format.delimiter) { throw fail("format.delimiter must be one ASCII character") }
        if let quote = format.quote, !isSingleASCII(quote) { throw fail("format.quote must be one ASCII character") }
        if format.maxFieldBytes < 1 { throw fail("format.maxFieldBytes must be positive") }
        if let columns, Set(columns).count != columns.count { throw fail("columns: a name appears twice") }
        if !format.header && columns == nil { throw fail("a file without a header needs 'columns'") }

        try checkUnique(features.map(\.name), what: "feature", fail: fail)
        try checkUnique(labels.map(\.name), what: "task", fail: fail)
        let categoricalNames = Set(features.filter { $0.kind == .categorical }.map(\.name))
        for feature in features {
            try validate(feature, categoricalNames: categoricalNames, fail: fail)
        }
        let featureColumns = Set(features.compactMap { $0.kind == .sequence && eventLog != nil ? nil : $0.sourceColumn })
        for label in labels {
            if let column = label.column, featureColumns.contains(column) {
                throw fail("label '\(label.name)' reads column '\(column)', which is also a feature; a label can never be a feature")
            }
            if eventLog == nil && label.column == nil { throw fail("label '\(label.name)' needs a 'column'") }
            if eventLog != nil && label.behaviour == nil { throw fail("label '\(label.name)' needs a 'behaviour' in an event-log schema") }
            if eventLog != nil && label.mask != nil { throw fail("label '\(label.name)': masks apply to table schemas only") }
            if label.kind == .regression && label.positive != nil {
                throw fail("label '\(label.name)': 'positive' applies to binary labels only")
            }
        }
        if let split {
            let sharesValid = split.validation >= 0 && split.test >= 0 && split.validation + split.test < 1
            if !sharesValid { throw fail("split: validation and test shares must be non-negative and sum below 1") }
        }
        if let eventLog {
            if eventLog.testFrom < eventLog.validationFrom { throw fail("eventLog.testFrom precedes eventLog.validationFrom") }
            if let groupKey, groupKey != eventLog.user {
                throw fail("an event log groups samples by its user column '\(eventLog.user)', not '\(groupKey)'")
            }
            if !features.contains(where: { $0.kind == .categorical && $0.sourceColumn == eventLog.item }) {
                throw fail("eventLog: the item column '\(eventLog.item)' must be a categorical feature")
            }
        }
    }

    private func validate(_ feature: FeatureSpec, categoricalNames: Set<String>, fail: (String) -> DataError) throws {
        let name = feature.name
        switch feature.kind {
        case .categorical:
            if let minCount = feature.minCount, minCount < 1 { throw fail("feature '\(name)': minCount must be at least 1") }
        case .numeric:
            break
        case .sequence:
            guard (feature.maxLength ?? 0) >= 1 else {
                throw fail("sequence '\(name)' needs maxLength ≥ 1")
            }
            if let shared = feature.vocabulary, !categoricalNames.contains(shared) {
                throw fail("sequence '\(name)' shares the vocabulary of '\(shared)', which is not a categorical feature")
            }
            if eventLog != nil {
                if feature.behaviour == nil { throw fail("sequence '\(name)' needs a 'behaviour' in an event-log schema") }
                if feature.column != nil { throw fail("sequence '\(name)' is assembled from the event log and takes no 'column'") }
                let itemFeature = features.first { $0.kind == .categorical && $0.sourceColumn == eventLog?.item }?.name
                if let shared = feature.vocabulary, shared != itemFeature {
                    throw fail("sequence '\(name)' holds items, so it can only share the item feature's vocabulary")
                }
            } else if let separator = feature.separator {
                if !isSingleASCII(separator) { throw fail("sequence '\(name)': separator must be one ASCII character") }
                if separator == format.delimiter { throw fail("sequence '\(name)': separator equals the field delimiter") }
            } else {
                throw fail("sequence '\(name)' needs a 'separator' for its list column")
            }
        }
        if feature.kind != .sequence, feature.maxLength != nil || feature.separator != nil {
            throw fail("feature '\(name)': maxLength and separator apply to sequences only")
        }
        if feature.kind != .numeric, feature.transform != nil {
            throw fail("feature '\(name)': transform applies to numeric features only")
        }
    }

    private func checkUnique(_ names: [String], what: String, fail: (String) -> DataError) throws {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw fail("\(what) '\(name)' is defined twice")
        }
    }

    private func isSingleASCII(_ text: String) -> Bool {
        text.utf8.count == 1 && text.utf8.first! < 0x80
    }
}
