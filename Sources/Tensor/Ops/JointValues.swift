/// Consecutive categorical fields of small vocabularies taken together, so that a sample adds
/// one projected row per group instead of one per field.
///
/// A field gather's linear map adds, per sample, the projected row of each field's value (see
/// ``FieldGather``). Fields with few values name few combinations: Census-Income's three
/// migration codes, 11 × 10 × 11 codes, take 28 distinct combinations in a batch of 1,024
/// rows. Projecting each combination a batch names once, as the sum of its fields' rows, and
/// adding that sum per sample halves the row additions of the map and of its gradient on that
/// data (12 rows per sample instead of 32, for about 780 combinations per batch).
///
/// The groups depend on the tables' sizes only, never on a batch, so a sample's sum is added
/// in the same order alone as in any batch.
struct JointValues {
    /// The categorical fields, cut into consecutive groups.
    let groups: [Range<Int>]
    /// The row of the projections (or of their gradient) sample i reads for group g,
    /// `slots[i · groups.count + g]`: its compact row for a group of one field, or `base + j`
    /// for joint row j.
    let slots: [Int32]
    /// The compact rows joint row j adds, in field order: `members[memberOffsets[j] ..<
    /// memberOffsets[j + 1]]`.
    let members: [Int32]
    let memberOffsets: [Int]
    /// The row the joint rows start at, after the compact rows.
    let base: Int

    /// The most codes a group's fields may name together (the product of their vocabularies):
    /// a batch then names at most this many of the group's combinations.
    static let vocabularyLimit = 4096

    /// Consecutive fields, each group as long as its vocabularies multiply to at most `limit`.
    static func groups(vocabularies: [Int], limit: Int = vocabularyLimit) -> [Range<Int>] {
        var groups: [Range<Int>] = [], start = 0, codes = 1
        for (f, size) in vocabularies.enumerated() {
            if f > start && codes * size > limit {
                groups.append(start..<f)
                (start, codes) = (f, 1)
            }
            codes *= size
        }
        if start < vocabularies.count { groups.append(start..<vocabularies.count) }
        return groups
    }

    /// The joint rows of `source`'s batch, whose distinct values are `compact`.
    init(_ source: FieldGather, compact: CompactValues) {
        let vocabularies = source.tables.map { $0.shape[0] }
        let (fields, rows) = (vocabularies.count, source.rows)
        let groups = JointValues.groups(vocabularies: vocabularies)
        let base = compact.count
        var slots = [Int32](repeating: 0, count: rows * groups.count)
        var (members, memberOffsets): ([Int32], [Int]) = ([], [0])
        var seen: [Int32] = [], codes = [Int](repeating: 0, count: rows)
        slots.withUnsafeMutableBufferPointer { slots in
            source.ids.withUnsafeBufferPointer { ids in
                compact.slots.withUnsafeBufferPointer { compactSlots in
                    for (g, group) in groups.enumerated() {
                        if group.count == 1 {
                            for i in 0..<rows { slots[i * groups.count + g] = compactSlots[i * fields + group.lowerBound] }
                            continue
                        }
                        // Each row's combination as one code, its fields' ids in mixed radix.
                        for i in 0..<rows { codes[i] = 0 }
                        for f in group {
                            for i in 0..<rows { codes[i] = codes[i] * vocabularies[f] + Int(ids[i * fields + f]) }
                        }
                        seen.removeAll(keepingCapacity: true)
                        seen.append(contentsOf: repeatElement(-1, count: group.reduce(1) { $0 * vocabularies[$1] }))
                        for i in 0..<rows {
                            if seen[codes[i]] < 0 {
                                seen[codes[i]] = Int32(base + memberOffsets.count - 1)
                                for f in group { members.append(compactSlots[i * fields + f]) }
                                memberOffsets.append(members.count)
                            }
                            slots[i * groups.count + g] = seen[codes[i]]
                        }
                    }
                }
            }
        }
        (self.groups, self.base, self.slots, self.members, self.memberOffsets) = (groups, base, slots, members, memberOffsets)
    }

    /// The number of joint rows.
    var count: Int { memberOffsets.count - 1 }

    /// Writes each joint row of `matrix` (rows of `stride` floats) as the sum of its members'
    /// rows, at the 16-column vectors covering `columns`.
    func sumMembers(in matrix: UnsafeMutablePointer<Float>, stride: Int, columns: Range<Int>) {
        members.withUnsafeBufferPointer { members in
            for j in 0..<count {
                let (first, last) = (memberOffsets[j], memberOffsets[j + 1])
                let target = matrix + (base + j) * stride
                var c = columns.lowerBound
                while c < columns.upperBound {
                    var sum = loadVec(matrix + Int(members[first]) * stride + c)
                    for m in first + 1 ..< last { sum += loadVec(matrix + Int(members[m]) * stride + c) }
                    storeVec(sum, target + c)
                    c += 16
                }
            }
        }
    }

    /// Adds each joint row of `matrix` (rows of `stride` floats) into its members' rows, at
    /// `columns`.
    func spreadToMembers(in matrix: UnsafeMutablePointer<Float>, stride: Int, columns: Range<Int>) {
        let first = columns.lowerBound
        for j in 0..<count {
            let source = matrix + (base + j) * stride + first
            for m in memberOffsets[j] ..< memberOffsets[j + 1] {
                accumulate(source, into: matrix + Int(members[m]) * stride + first, columns.count)
            }
        }
    }
}
