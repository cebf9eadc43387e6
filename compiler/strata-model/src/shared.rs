//! [`Shared`]: the reference-counted payload of list and record [`Value`](crate::Value)s.
//!
//! Values are built by an evaluator that lets a program name a value and use it many times
//! (`let b = [a, a]`). Copying on every use makes 25 such lines need 2^25 copies; sharing makes
//! them cost 25 nodes. Each node also records its fully expanded [`Size`], computed once from
//! its children's when it is built, so limits on what a value would take written out in full
//! are checked in O(1) before anything is written out. `Arc` (not `Rc`): the model is read
//! from rayon threads.

use crate::value::{Measure, Size};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A reference-counted, immutable container that knows its expanded [`Size`]. Clone is O(1);
/// [`Shared::make_mut`] gives copy-on-write access and updates the size afterwards.
pub struct Shared<T>(Arc<Node<T>>);

#[derive(Clone)]
struct Node<T> {
    data: T,
    size: Size,
}

impl<T: Measure> Shared<T> {
    pub fn new(data: T) -> Self {
        let size = data.measure();
        Shared(Arc::new(Node { data, size }))
    }
}

impl<T> Shared<T> {
    /// The size of this container written out in full (its elements at every depth).
    pub fn size(&self) -> Size {
        self.0.size
    }
    /// Whether both are the same node (then they are equal without looking inside).
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// The node's address: a key for memoising walks over shared parts. Only meaningful while
    /// the node is alive (keep a clone of it next to the key).
    pub fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as *const () as usize
    }
}

impl<T: Measure + Clone> Shared<T> {
    /// Mutable access, copying the contents first if they are shared (copy-on-write, one level
    /// deep: the elements themselves stay shared). The size is recomputed when the guard drops.
    pub fn make_mut(&mut self) -> SharedMut<'_, T> {
        SharedMut(Arc::make_mut(&mut self.0))
    }
    /// The contents, without copying when this is the only handle.
    pub fn into_inner(self) -> T {
        Arc::try_unwrap(self.0)
            .map(|n| n.data)
            .unwrap_or_else(|n| n.data.clone())
    }
}

/// Write access to a [`Shared`]'s contents; the size is brought up to date on drop.
pub struct SharedMut<'a, T: Measure>(&'a mut Node<T>);

impl<T: Measure> Deref for SharedMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.data
    }
}

impl<T: Measure> DerefMut for SharedMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0.data
    }
}

impl<T: Measure> Drop for SharedMut<'_, T> {
    fn drop(&mut self) {
        self.0.size = self.0.data.measure();
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.data
    }
}

impl<T: Measure + Default> Default for Shared<T> {
    fn default() -> Self {
        Shared::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.data.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other) || (self.0.size == other.0.size && self.0.data == other.0.data)
    }
}

impl<T: Measure> From<T> for Shared<T> {
    fn from(data: T) -> Self {
        Shared::new(data)
    }
}

impl<T: Measure + FromIterator<A>, A> FromIterator<A> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        Shared::new(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.0.data).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use crate::Value;

    #[test]
    fn doubling_shares_instead_of_copying() {
        let mut v = Value::Str("x".into());
        for _ in 0..100 {
            v = Value::list(vec![v.clone(), v]);
        }
        let s = v.size();
        assert_eq!(s.elements, u64::MAX, "2^101 - 2 elements saturate");
        assert_eq!(s.bytes, u64::MAX);
        assert!(v.preview(40).chars().count() <= 41);
        // A preview reads no more of a long string than it shows.
        let long = Value::str("x".repeat(50_000_000));
        let t = std::time::Instant::now();
        assert_eq!(long.preview(5), "\"xxxx…");
        assert!(
            t.elapsed() < std::time::Duration::from_millis(100),
            "{:?}",
            t.elapsed()
        );
    }

    /// Budgets count a list element as the memory of a value (semantics' `ELEMENT_WEIGHT`);
    /// `docs/language.md` says 56 bytes.
    #[test]
    fn a_value_takes_56_bytes() {
        assert_eq!(
            std::mem::size_of::<Value>(),
            56,
            "update docs/language.md (Limits)"
        );
    }

    #[test]
    fn make_mut_copies_shared_contents_and_updates_the_size() {
        let a = Value::list(vec![Value::Int(1)]);
        let Value::List(mut l) = a.clone() else {
            unreachable!()
        };
        l.make_mut().push(Value::Str("ab".into()));
        assert_eq!(l.size().elements, 2);
        assert_eq!(l.size().bytes, 2);
        assert_eq!(a.size().elements, 1, "the original is untouched");
    }

    #[test]
    fn rewriting_refs_keeps_sharing() {
        use crate::{Ref, ResourceId};
        let r = Value::Ref(Ref {
            resource: ResourceId(0),
            name: "a".into(),
            attr: None,
        });
        let mut v = r;
        for _ in 0..64 {
            v = Value::list(vec![v.clone(), v]);
        }
        let mut calls = 0;
        v.rewrite_refs(&mut |r| {
            calls += 1;
            r.resource = ResourceId(7);
        });
        assert_eq!(
            calls, 2,
            "the two references of the innermost list, once each"
        );
        let mut seen = Vec::new();
        v.visit_refs_once(&mut |r| seen.push(r.resource));
        assert_eq!(seen, vec![ResourceId(7); 2]);
        assert_eq!(v.size().refs, u64::MAX, "2^65 references, saturated");
    }
}
