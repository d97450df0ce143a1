import RaftCore

/// Records keyed by log index, in an array at their index: log indices are dense from 1, so a
/// lookup is a bounds check instead of a hash (the checker looks one up per entry per node).
struct IndexedRecords<Record> {
    private var records: [Record?] = []

    init() {}

    subscript(index: LogIndex) -> Record? {
        get { index < UInt64(records.count) ? records[Int(index)] : nil }
        set {
            if index >= UInt64(records.count) {
                guard newValue != nil else { return }
                records.append(contentsOf: repeatElement(nil, count: Int(index) - records.count + 1))
            }
            records[Int(index)] = newValue
        }
    }
}
