//! The engine's kernels against hand-made stores: each count checked by hand.

mod engine {
    mod samt01;
    mod samt02;
    mod samt03;
}
