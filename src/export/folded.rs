//! Folded stacks: `frame;frame;frame WEIGHT`, root first, one line per stack.
//!
//! Flame graph lines come in tree order: a depth-first walk of the merged
//! stacks, siblings in byte order of their labels, each stack once with its
//! self weight (a parent's line before its children's). The walk writes each
//! line as it goes, from one path buffer, so a 360 MB folded file is never
//! held in memory. Flame chart lines are the runs of consecutive identical
//! stacks in time order, earliest first. Weights are rounded per line, not per
//! sample; lines that round to 0 are left out.
//!
//! For pictures, stacks narrower than the picture's minimum width are pruned
//! before inferno sees them, their weight given to the parent, which is what
//! inferno's own pruning draws anyway, but without handing it a million lines.

use std::io::{self, Write};

use crate::fold::{Folded, StackTree};
use crate::model::NONE;

fn round(w: f64) -> u64 {
    if w.is_finite() && w > 0.0 {
        w.round() as u64
    } else {
        0
    }
}

/// Children of every stack in graph order. A stack weighing less than
/// `prune_below` is collapsed: drawn as one line carrying its whole subtree's
/// weight, its callees not listed (inferno would not draw them, and keeping
/// the collapsed frame keeps every other frame at the same position).
struct GraphOrder {
    start: Vec<u32>,
    list: Vec<u32>,
    /// Weight to write for each stack: its own, or its subtree's when collapsed.
    weight: Vec<f64>,
}

impl GraphOrder {
    fn new(folded: &Folded, prune_below: f64) -> GraphOrder {
        let tree = &folded.tree;
        let nodes = tree.nodes();
        let totals = tree.totals();
        let n = nodes.len();
        // Whether a stack's callees are listed (parents come before children).
        let mut expanded = vec![false; n];
        expanded[0] = true;
        let mut weight: Vec<f64> = nodes.iter().map(|s| s.weight).collect();
        let mut counts = vec![0u32; n + 1];
        for (i, node) in nodes.iter().enumerate().skip(1) {
            let p = node.parent as usize;
            if expanded[p] && totals[i] > 0.0 {
                counts[p] += 1;
                if totals[i] >= prune_below || p == 0 {
                    expanded[i] = true;
                } else {
                    weight[i] = totals[i];
                }
            }
        }
        let mut start = vec![0u32; n + 1];
        for i in 0..n {
            start[i + 1] = start[i] + counts[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; start[n] as usize];
        for (i, node) in nodes.iter().enumerate().skip(1) {
            let p = node.parent as usize;
            if expanded[p] && totals[i] > 0.0 {
                list[fill[p] as usize] = i as u32;
                fill[p] += 1;
            }
        }
        // Siblings in byte order of their labels: rank labels once, then sort by rank.
        let labels = &folded.labels;
        let mut by_name: Vec<u32> = (0..labels.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| labels.name(a).cmp(labels.name(b)));
        let mut rank = vec![0u32; labels.len()];
        for (r, &l) in by_name.iter().enumerate() {
            rank[l as usize] = r as u32;
        }
        for i in 0..n {
            let (a, b) = (start[i] as usize, start[i + 1] as usize);
            if b - a > 1 {
                list[a..b].sort_unstable_by_key(|&c| rank[nodes[c as usize].label as usize]);
            }
        }
        GraphOrder {
            start,
            list,
            weight,
        }
    }
}

/// Walk the flame graph's stacks in graph order, calling `line(path, weight)`
/// for every stack whose own weight (plus its pruned children's) is not zero.
fn walk_graph(
    folded: &Folded,
    prune_below: f64,
    mut line: impl FnMut(&str, f64) -> io::Result<()>,
) -> io::Result<()> {
    let tree = &folded.tree;
    let order = GraphOrder::new(folded, prune_below);
    let mut path = String::new();
    // (stack, next child position, path length before this stack's label)
    let mut stack: Vec<(u32, u32, usize)> = vec![(StackTree::ROOT, order.start[0], 0)];
    while let Some(top) = stack.last_mut() {
        let (node, pos, _) = *top;
        if pos == order.start[node as usize + 1] {
            let (_, _, len) = stack.pop().unwrap_or_default();
            path.truncate(len);
            continue;
        }
        top.1 += 1;
        let child = order.list[pos as usize];
        let len = path.len();
        if !path.is_empty() {
            path.push(';');
        }
        path.push_str(folded.labels.name(tree.node(child).label));
        let w = order.weight[child as usize];
        if w > 0.0 {
            line(&path, w)?;
        }
        stack.push((child, order.start[child as usize], len));
    }
    Ok(())
}

/// Write the flame graph's folded lines to `out`.
pub fn write_graph(folded: &Folded, out: &mut dyn Write) -> io::Result<()> {
    let mut num = itoa_buffer();
    walk_graph(folded, 0.0, |path, w| {
        let w = round(w);
        if w == 0 {
            return Ok(());
        }
        out.write_all(path.as_bytes())?;
        out.write_all(b" ")?;
        out.write_all(format_u64(&mut num, w))?;
        out.write_all(b"\n")
    })
}

/// [`write_graph`], with the writing done on a second thread while the next
/// lines are made: for a 300 MB folded file, making the text and copying it
/// to the destination take about as long as each other.
pub fn write_graph_overlapped(folded: &Folded, out: &mut (dyn Write + Send)) -> io::Result<()> {
    const CHUNK: usize = 256 << 10;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let writer = scope.spawn(move || -> io::Result<()> {
            for chunk in rx {
                out.write_all(&chunk)?;
            }
            Ok(())
        });
        let mut buf = Vec::with_capacity(CHUNK + 4096);
        let made = write_graph(
            folded,
            &mut ChunkSender {
                buf: &mut buf,
                tx: &tx,
                chunk: CHUNK,
            },
        );
        let last = std::mem::take(&mut buf);
        let sent = if last.is_empty() {
            Ok(())
        } else {
            tx.send(last).map_err(|_| closed())
        };
        drop(tx);
        // The writer's error (a closed pipe, a full disk) is the one to report.
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
        written.and(made).and(sent)
    })
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the output was closed")
}

/// Collects bytes and hands them to the writer thread a chunk at a time.
struct ChunkSender<'a> {
    buf: &'a mut Vec<u8>,
    tx: &'a std::sync::mpsc::SyncSender<Vec<u8>>,
    chunk: usize,
}

impl Write for ChunkSender<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= self.chunk {
            let full = std::mem::replace(self.buf, Vec::with_capacity(self.chunk + 4096));
            self.tx.send(full).map_err(|_| closed())?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The flame graph's lines in graph order.
pub fn graph_lines(folded: &Folded) -> Vec<String> {
    pruned_graph_lines(folded, 0.0)
}

/// The flame graph's lines, stacks weighing less than `prune_below` folded
/// into their parents.
pub fn pruned_graph_lines(folded: &Folded, prune_below: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let _ = walk_graph(folded, prune_below, |path, w| {
        let w = round(w);
        if w > 0 {
            lines.push(format!("{path} {w}"));
        }
        Ok(())
    });
    lines
}

/// The flame chart's lines: runs in time order, earliest first, source after source.
pub fn chart_lines(folded: &Folded) -> Vec<String> {
    pruned_chart_lines(folded, 0.0)
}

/// The flame chart's lines, with every frame whose run of time is shorter than
/// `prune_below` cut off (the runs under it keep their time, on the frame below),
/// and consecutive runs that become identical merged.
pub fn pruned_chart_lines(folded: &Folded, prune_below: f64) -> Vec<String> {
    let tree = &folded.tree;
    let mut scratch = Vec::new();
    let mut lines = Vec::new();
    for source in &folded.sources {
        let runs = if prune_below > 0.0 {
            prune_runs(tree, &source.runs, prune_below)
        } else {
            source
                .runs
                .iter()
                .map(|r| (r.stack, r.weight))
                .collect::<Vec<_>>()
        };
        for (stack, weight) in runs {
            let w = round(weight);
            if w == 0 {
                continue;
            }
            let mut s = String::new();
            tree.write_path(stack, &folded.labels, &mut scratch, &mut s);
            s.push(' ');
            s.push_str(&w.to_string());
            lines.push(s);
        }
    }
    lines
}

/// Cut each run's stack below the first frame whose block of consecutive runs
/// (the time that frame is continuously on the stack) is shorter than `min`,
/// then merge consecutive runs with the same cut stack. Every run keeps at
/// least its bottom frame, so the time axis stays true.
fn prune_runs(tree: &StackTree, runs: &[crate::fold::Run], min: f64) -> Vec<(u32, f64)> {
    let n = runs.len();
    // Depth (number of frames) each run keeps.
    let mut keep = vec![u32::MAX; n];
    // Open blocks: (stack node at this depth, first run, weight so far).
    let mut open: Vec<(u32, usize, f64)> = Vec::new();
    let mut path = Vec::new();
    let close = |block: (u32, usize, f64), end: usize, depth: usize, keep: &mut [u32]| {
        if block.2 < min {
            for k in &mut keep[block.1..end] {
                *k = (*k).min(depth as u32);
            }
        }
    };
    for (i, run) in runs.iter().enumerate() {
        tree.path_nodes(run.stack, &mut path);
        // Keep the blocks this run continues; close the rest.
        let mut common = 0;
        while common < open.len() && common < path.len() && open[common].0 == path[common] {
            common += 1;
        }
        while open.len() > common {
            let depth = open.len() - 1;
            let block = open.pop().unwrap_or((NONE, 0, 0.0));
            close(block, i, depth, &mut keep);
        }
        for &node in &path[common..] {
            open.push((node, i, 0.0));
        }
        for block in &mut open {
            block.2 += run.weight;
        }
    }
    while let Some(block) = open.pop() {
        let depth = open.len();
        close(block, n, depth, &mut keep);
    }
    let mut out: Vec<(u32, f64)> = Vec::new();
    for (run, &k) in runs.iter().zip(&keep) {
        tree.path_nodes(run.stack, &mut path);
        let k = (k.max(1) as usize).min(path.len());
        let stack = if k == 0 { run.stack } else { path[k - 1] };
        match out.last_mut() {
            Some((s, w)) if *s == stack => *w += run.weight,
            _ => out.push((stack, run.weight)),
        }
    }
    out
}

fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

/// Format `v` in decimal into `buf`, returning the digits.
fn format_u64(buf: &mut [u8; 20], mut v: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let mut b = itoa_buffer();
        assert_eq!(format_u64(&mut b, 0), b"0");
        assert_eq!(format_u64(&mut b, 1234567), b"1234567");
        assert_eq!(
            format_u64(&mut b, u64::MAX),
            u64::MAX.to_string().as_bytes()
        );
    }
}

/// `--format folded`: the flame graph's stacks (streamed), the chart's runs
/// with `--chart`, or `stack BASE INPUT` lines with `--diff`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FoldedExporter;

impl super::Exporter for FoldedExporter {
    fn write(
        &self,
        job: &super::Job<'_>,
        out: &mut (dyn Write + Send),
    ) -> crate::error::Result<()> {
        let lines = match job.base {
            None if !job.picture.chart => {
                return write_graph_overlapped(job.folded, out).map_err(super::write_error)
            }
            None => chart_lines(job.folded),
            Some(base) => super::diff::diff_lines(job.folded, base.folded),
        };
        let mut bytes = Vec::with_capacity(1 << 16);
        for l in &lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        out.write_all(&bytes).map_err(super::write_error)
    }
}
