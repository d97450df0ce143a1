import NIOConcurrencyHelpers
import NIOPosix
import RaftCore
import Storage
import KV

/// A node's storage writer: stores what the node's Readies ask (snapshot, hard state, entries) on a
/// thread of its own, in the order they were handed over, and reports them durable in batches.
/// Everything handed over while one batch was being written and synced goes into the next: one
/// write per Ready and one sync per batch, so the batch grows with the load and no timer waits
/// for it (group commit). The node's event loop goes on receiving, sending and proposing in the
/// meantime (`RaftConfig.asyncStorageWrites`).
final class LogWriter: @unchecked Sendable {
    private let storage: NodeStorage
    private let pool = NIOThreadPool(numberOfThreads: 1)
    /// 1 when there is work or a stop was asked, else 0; guards `queue` and `stopping`.
    private let state = ConditionLock(value: 0)
    private var queue: [StorageWrite] = []
    private var stopping = false
    /// Called on the writer's thread after each batch with the number of writes handed over so far
    /// that are all durable now, or with the error that stopped the writer (nothing after it is
    /// written).
    private let done: @Sendable (Result<UInt64, StorageError>) -> Void

    /// Starts the writer's thread.
    init(storage: NodeStorage, done: @escaping @Sendable (Result<UInt64, StorageError>) -> Void) {
        self.storage = storage
        self.done = done
        pool.start()
        pool.submit { [self] _ in run() }
    }

    /// Hands `write` over. Writes are numbered 1, 2, ... in the order handed over; `done` reports
    /// the highest number durable.
    func submit(_ write: StorageWrite) {
        state.lock()
        queue.append(write)
        state.unlock(withValue: 1)
    }

    /// Stops the thread once the batch in progress (if any) is done; writes still waiting are
    /// dropped (nothing that waited for them was sent). Returns when the thread has ended.
    func stop() {
        state.lock()
        stopping = true
        state.unlock(withValue: 1)
        try? pool.syncShutdownGracefully()
    }

    private func run() {
        var batch: [StorageWrite] = []
        var durable: UInt64 = 0
        while true {
            state.lock(whenValue: 1)
            if stopping {
                state.unlock(withValue: 1)
                return
            }
            swap(&batch, &queue)
            state.unlock(withValue: 0)
            do {
                for w in batch {
                    if let s = w.snapshot { try storage.saveSnapshot(s, replacingLog: w.installsSnapshot) }
                    if w.hardState != nil || !w.entries.isEmpty {
                        try storage.save(hardState: w.hardState, entries: w.entries, sync: false)
                    }
                }
                if batch.contains(where: \.sync) { try storage.sync() }
            } catch {
                done(.failure(error))
                return
            }
            durable += UInt64(batch.count)
            batch.removeAll(keepingCapacity: true)
            done(.success(durable))
        }
    }
}
