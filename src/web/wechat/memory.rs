//! Bounded memories of the WeChat channel: a map that forgets its oldest keys past a capacity, so that retries
//! and per-user state cannot grow without end whatever arrives.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// A map of at most `capacity` keys; inserting past it forgets the key inserted first.
#[derive(Debug)]
pub struct Bounded<K, V> {
    capacity: usize,
    values: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Eq + Hash + Clone, V> Bounded<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            values: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.values.get(key)
    }

    /// The value of `key`, made by `make` when there is none (forgetting the oldest key if the map is full).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        self.make_room_for(&key);
        self.values.entry(key).or_insert_with(make)
    }

    /// Sets `key`, forgetting the oldest key when the map is full.
    pub fn insert(&mut self, key: K, value: V) {
        self.make_room_for(&key);
        self.values.insert(key, value);
    }

    /// Before `key` is set: a new key is remembered in order, and the oldest are forgotten to leave it room.
    fn make_room_for(&mut self, key: &K) {
        if self.values.contains_key(key) {
            return;
        }
        while self.order.len() >= self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.values.remove(&oldest);
                }
                None => break,
            }
        }
        self.order.push_back(key.clone());
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_key_is_forgotten_past_the_capacity() {
        let mut map = Bounded::new(2);
        map.insert("a", 1);
        map.insert("b", 2);
        map.insert("a", 10);
        assert_eq!(map.len(), 2);
        map.insert("c", 3);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get(&"a"), None);
        assert_eq!(map.get(&"b"), Some(&2));
        assert_eq!(*map.get_or_insert_with("c", || 99), 3);
        assert_eq!(*map.get_or_insert_with("d", || 4), 4);
        assert_eq!(map.get(&"b"), None);
        assert!(!map.is_empty());
    }
}
