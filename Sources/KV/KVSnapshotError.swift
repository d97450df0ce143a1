/// Why bytes are not a valid `KVStore` snapshot (`KVStore.init(snapshot:sessionTTL:)`).
public enum KVSnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes do not start with the snapshot's magic number.
    case badMagic
    /// The format version is not one this build reads.
    case unsupportedVersion(UInt8)
    /// The checksum at the end does not match the bytes before it.
    case checksumMismatch
    /// The bytes end before the snapshot does, or a field makes no sense; the text says which.
    case malformed(String)

    public var description: String {
        switch self {
        case .badMagic: return "not a key-value snapshot (bad magic number)"
        case .unsupportedVersion(let v): return "key-value snapshot format version \(v) is not supported (this build reads \(KVStore.snapshotVersion))"
        case .checksumMismatch: return "key-value snapshot checksum mismatch"
        case .malformed(let why): return "malformed key-value snapshot: \(why)"
        }
    }
}
