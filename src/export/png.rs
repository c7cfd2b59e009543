//! PNG: the SVG rasterised by resvg, for pasting into bug reports.
//!
//! inferno's SVG asks for the generic `monospace` family. A machine with no
//! fonts would render no text at all, so when no monospaced system font is
//! found we use DejaVu Sans Mono, bundled in the binary (Bitstream Vera
//! licence, `assets/fonts/LICENSE-DejaVu.txt`). Its advance width (0.602 em)
//! matches the 0.59 em inferno assumes when it truncates labels.

use std::io::Write;
use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg;

use crate::error::{Error, Result};

/// The bundled fallback font.
static BUNDLED_MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Family name of the bundled font.
pub const BUNDLED_FAMILY: &str = "DejaVu Sans Mono";

/// Which fonts to give resvg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FontSource {
    /// System fonts when a monospaced one exists, else the bundled font.
    #[default]
    SystemThenBundled,
    /// Only the bundled font (reproducible pixels; used by tests).
    BundledOnly,
    /// No fonts at all: labels are not drawn. Tests use it to show that text
    /// pixels really come from a font.
    NoFonts,
}

/// Build the font database for rendering.
pub fn font_database(source: FontSource) -> usvg::fontdb::Database {
    let mut db = usvg::fontdb::Database::new();
    if source == FontSource::SystemThenBundled {
        db.load_system_fonts();
    }
    if source == FontSource::NoFonts {
        return db;
    }
    let system_mono = db
        .faces()
        .find(|f| f.monospaced)
        .and_then(|f| f.families.first().map(|(name, _)| name.clone()));
    let family = match system_mono {
        Some(name) => name,
        None => {
            db.load_font_data(BUNDLED_MONO.to_vec());
            BUNDLED_FAMILY.to_string()
        }
    };
    db.set_monospace_family(family.clone());
    db.set_sans_serif_family(family.clone());
    db.set_serif_family(family);
    db
}

/// Rasterise `svg` at `scale` (1.0 = the SVG's own pixel size) and write a PNG.
pub fn write_png(svg: &[u8], scale: f32, fonts: FontSource, out: &mut dyn Write) -> Result<()> {
    // A picture has no browser: no Search or Reset Zoom button, no hover line.
    let picture = std::str::from_utf8(svg).map(super::readable::for_picture);
    let svg = match &picture {
        Ok(text) => text.as_bytes(),
        Err(_) => svg,
    };
    let fail = |m: String| Error::Write {
        output: "PNG".into(),
        source: std::io::Error::other(m),
    };
    // Refuse before parsing: reading a huge SVG costs more than drawing it.
    if let (Some(w), Some(h)) = (svg_dimension(svg, "width"), svg_dimension(svg, "height")) {
        check_pixels((w * scale as f64) as u64, (h * scale as f64) as u64).map_err(fail)?;
    }
    let opt = usvg::Options {
        fontdb: Arc::new(font_database(fonts)),
        ..usvg::Options::default()
    };
    let tree =
        usvg::Tree::from_data(svg, &opt).map_err(|e| fail(format!("cannot read the SVG: {e}")))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| fail("the picture has no size".into()))?;
    let (w, h) = (size.width(), size.height());
    check_pixels(w as u64, h as u64).map_err(fail)?;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| fail(format!("cannot allocate {w}x{h} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| fail(format!("cannot encode PNG: {e}")))?;
    out.write_all(&png).map_err(|e| Error::Write {
        output: "PNG".into(),
        source: e,
    })
}

/// The largest picture we rasterise, in pixels (200 MB of RGBA): far more
/// than a bug report needs, and well inside memory on any machine.
const MAX_PIXELS: u64 = 50_000_000;

fn check_pixels(w: u64, h: u64) -> std::result::Result<(), String> {
    if w.saturating_mul(h) > MAX_PIXELS {
        return Err(format!(
            "the picture would be {w}x{h} pixels, too large for a PNG; \
             use --min-width, --focus, or the SVG"
        ));
    }
    Ok(())
}

/// A numeric attribute of the root `<svg>` element, read without parsing the document.
fn svg_dimension(svg: &[u8], name: &str) -> Option<f64> {
    let head = &svg[..svg.len().min(4096)];
    let text = std::str::from_utf8(head).ok()?;
    let start = text.find("<svg")?;
    let tag_end = text[start..].find('>')? + start;
    let tag = &text[start..tag_end];
    let key = format!(" {name}=\"");
    let v = tag.find(&key)? + key.len();
    let end = tag[v..].find('"')? + v;
    tag[v..end].parse().ok()
}

/// `--format png`: the SVG (or differential SVG) rasterised, 1200 px wide
/// unless `--width` says otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct PngExporter;

impl super::Exporter for PngExporter {
    fn write(&self, job: &super::Job<'_>, out: &mut (dyn Write + Send)) -> Result<()> {
        let mut p = job.picture.clone();
        p.width = Some(p.width.unwrap_or(1200));
        let mut svg = Vec::with_capacity(1 << 16);
        match job.base {
            None => super::write_any_svg(job.folded, &p, &mut svg)?,
            Some(base) => super::diff::write_diff_svg(job.folded, base, &p, &mut svg)?,
        }
        let mut png = Vec::with_capacity(1 << 16);
        write_png(&svg, p.png_scale, p.fonts, &mut png)?;
        out.write_all(&png).map_err(super::write_error)
    }
}
