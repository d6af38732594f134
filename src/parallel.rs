//! Work spread over the cores, with results in input order and no result
//! silently lost.
//!
//! Every place that runs work on several threads goes through [`map`] (or
//! [`map_with`] to choose the number of threads). A worker that panics does
//! not take its items' results with it unnoticed: the panic is caught and
//! returned as [`WorkerPanicked`], which the caller turns into an error and
//! a non-zero exit.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A worker panicked on one item; the other items' results are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerPanicked {
    /// The index of the item the worker was processing.
    pub index: usize,
    /// The panic's message, when it was a string.
    pub message: String,
}

impl std::fmt::Display for WorkerPanicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "internal error: a worker thread panicked on item {}: {} (this is a supc bug; please report it)",
            self.index, self.message
        )
    }
}

impl std::error::Error for WorkerPanicked {}

/// The number of cores this process may use, asked once: std asks the
/// cgroup files every time (several opens and reads), and a check asks for
/// every config it resolves.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The number of threads worth starting for `items` items.
pub fn workers_for(items: usize) -> usize {
    cores().min(items.max(1))
}

/// Maps `items` with `f` on all cores; the results keep the input order.
pub fn map<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&T) -> U + Sync,
) -> Result<Vec<U>, WorkerPanicked> {
    map_with(items, workers_for(items.len()), f)
}

/// [`map`] on `workers` threads (one runs on the calling thread, so
/// `workers <= 1` starts none). Threads take the next item in turn.
pub fn map_with<T: Sync, U: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Result<Vec<U>, WorkerPanicked> {
    let slots: Vec<Mutex<Option<Result<U, String>>>> =
        items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = catch_unwind(AssertUnwindSafe(|| f(item))).map_err(panic_message);
            let failed = result.is_err();
            // A slot is written once, by the one thread that took its index.
            *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            if failed {
                // Let the other workers stop early.
                next.store(items.len(), Ordering::Relaxed);
                break;
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..workers.max(1) {
            s.spawn(work);
        }
        work();
    });
    let mut out = Vec::with_capacity(items.len());
    for (index, slot) in slots.into_iter().enumerate() {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(u)) => out.push(u),
            Some(Err(message)) => return Err(WorkerPanicked { index, message }),
            // Items are taken in order: an empty slot can only follow a
            // panicked item, which was reported above.
            None => {
                return Err(WorkerPanicked {
                    index,
                    message: "not processed: another worker panicked".into(),
                });
            }
        }
    }
    Ok(out)
}

/// What a panic said (its `&str` or `String` payload).
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..1000).collect();
        for workers in [1, 2, 3, 8] {
            let out = map_with(&items, workers, |x| x * 2).unwrap();
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert_eq!(map(&[] as &[u8], |x| *x).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn a_panic_is_an_error_naming_the_item() {
        let items: Vec<u32> = (0..100).collect();
        for workers in [1, 2, 4] {
            let err = map_with(&items, workers, |&x| {
                assert!(x != 37, "item {x} is bad");
                x
            })
            .unwrap_err();
            assert_eq!(err.index, 37, "{workers} workers");
            assert!(err.message.contains("item 37 is bad"), "{}", err.message);
            assert!(err.to_string().contains("supc bug"));
        }
    }
}
