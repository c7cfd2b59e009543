//! Colours by category.
//!
//! inferno's `js` palette paints every label containing `:` aqua, and our
//! labels all carry `file.js:12:5`, so we choose every colour ourselves and
//! hand inferno a complete palette map. Each category has its own hue family;
//! within it, a hash of the label picks the shade, so the same input always
//! gives the same colours (and the same bytes). Dependencies are shaded by
//! their package, not by frame, so each package is one colour the legend names.
//!
//! `--palette colorblind` uses the Okabe–Ito hues (orange, sky blue, bluish
//! green, yellow, reddish purple, greys), which stay distinct under every common
//! colour-vision deficiency, with a narrower spread so the hue never drifts.

use inferno::flamegraph::color::{Color, PaletteMap};

use crate::fold::{label::package_of, Category, LabelTable};

/// A set of colour families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    /// Warm application code, blue-violet dependencies, green runtime, sand natives.
    #[default]
    Default,
    /// Okabe–Ito hues, safe for colour-blind readers.
    Colorblind,
}

/// Base colour and per-channel spread of each category's family.
fn family(category: Category, palette: Palette) -> ((u8, u8, u8), (u8, u8, u8)) {
    if palette == Palette::Colorblind {
        return match category {
            // Okabe–Ito orange.
            Category::App => ((230, 159, 0), (20, 30, 0)),
            // Okabe–Ito sky blue.
            Category::Dependency => ((86, 180, 233), (30, 30, 20)),
            // Okabe–Ito bluish green, lightened so black labels stay readable.
            Category::Runtime => ((40, 175, 135), (20, 20, 20)),
            // Okabe–Ito yellow.
            Category::Native => ((240, 228, 66), (10, 20, 30)),
            // Okabe–Ito reddish purple.
            Category::Gc => ((204, 121, 167), (10, 10, 10)),
            Category::Program => ((150, 150, 150), (0, 0, 0)),
            Category::Idle => ((225, 225, 225), (0, 0, 0)),
            Category::Source => ((205, 195, 175), (0, 0, 0)),
        };
    }
    match category {
        // Warm orange-red, like the classic flame graph: the code you own.
        Category::App => ((225, 100, 40), (30, 90, 30)),
        // Blue-violet: dependencies from node_modules.
        Category::Dependency => ((120, 130, 225), (40, 40, 30)),
        // Green: the runtime's own JavaScript (node:, internal/, ext:).
        Category::Runtime => ((90, 185, 90), (40, 40, 40)),
        // Sand yellow: natives and V8 builtins.
        Category::Native => ((200, 190, 90), (30, 30, 40)),
        // Magenta: garbage collection.
        Category::Gc => ((215, 90, 190), (20, 20, 20)),
        // Mid grey: (program).
        Category::Program => ((160, 160, 160), (0, 0, 0)),
        // Pale blue-grey: (idle), drawn only in charts or with --idle.
        Category::Idle => ((220, 228, 236), (0, 0, 0)),
        // Light tan: the root frame naming a thread or file.
        Category::Source => ((205, 195, 175), (0, 0, 0)),
    }
}

/// FNV-1a: small, fast and stable across versions and platforms.
fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The colour of one label.
pub fn color_of(label: &str, category: Category) -> Color {
    color_in(label, category, Palette::Default)
}

/// The text a label's shade is chosen by: its package for dependencies.
fn shade_key(label: &str, category: Category) -> &str {
    if category == Category::Dependency {
        package_of(label).unwrap_or(label)
    } else {
        label
    }
}

/// Hue range (degrees) of dependency packages: each package gets its own hue
/// in the family, so neighbouring packages can be told apart.
fn package_hues(palette: Palette) -> (f64, f64) {
    match palette {
        // Blue to violet: clear of the runtime's green and the search cyan.
        Palette::Default => (218.0, 288.0),
        // Around Okabe–Ito sky blue.
        Palette::Colorblind => (188.0, 222.0),
    }
}

/// The colour of a dependency package: a hue of the family picked by the
/// package name's hash (stable across runs and inputs), with lightness and
/// saturation steps so that close hues still differ.
pub fn package_color(package: &str, palette: Palette) -> Color {
    let h = hash(package);
    let (lo, hi) = package_hues(palette);
    // 15 hue steps × 3 lightness steps × 2 saturation steps.
    let hue = lo + (hi - lo) * ((h % 15) as f64 / 14.0);
    let light = 0.58 + 0.07 * ((h >> 8) % 3) as f64;
    let sat = 0.55 + 0.15 * ((h >> 16) % 2) as f64;
    hsl(hue, sat, light)
}

/// HSL (degrees, 0–1, 0–1) to RGB.
fn hsl(hue: f64, sat: f64, light: f64) -> Color {
    let c = (1.0 - (2.0 * light - 1.0).abs()) * sat;
    let hp = (hue.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = light - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Color {
        r: to(r),
        g: to(g),
        b: to(b),
    }
}

/// The search highlight: a colour no category's family comes near (inferno's
/// default magenta is almost GC's).
pub fn search_color(palette: Palette) -> inferno::flamegraph::color::SearchColor {
    let hex = match palette {
        // Bright cyan: between the runtime's green and the dependencies' blue.
        Palette::Default => "#00d7d7",
        // Okabe–Ito blue, unused by the colour-blind families.
        Palette::Colorblind => "#0072b2",
    };
    hex.parse()
        .unwrap_or_else(|_| inferno::flamegraph::Options::default().search_color)
}

/// The colour of one label in `palette`.
pub fn color_in(label: &str, category: Category, palette: Palette) -> Color {
    if category == Category::Dependency {
        return package_color(shade_key(label, category), palette);
    }
    let ((r, g, b), (dr, dg, db)) = family(category, palette);
    let h = hash(shade_key(label, category));
    // One shade value for all channels keeps the family's hue recognisable.
    let v = (h % 1000) as f64 / 1000.0;
    let w = ((h >> 20) % 1000) as f64 / 1000.0;
    let shade = |base: u8, spread: u8, t: f64| -> u8 {
        (base as f64 + spread as f64 * (t - 0.5)).clamp(0.0, 255.0) as u8
    };
    Color {
        r: shade(r, dr, v),
        g: shade(g, dg, (v + w) / 2.0),
        b: shade(b, db, w),
    }
}

/// The colour that stands for a category in legends.
pub fn legend_color(category: Category) -> Color {
    legend_color_in(category, Palette::Default)
}

/// The colour that stands for a category in legends, in `palette`.
pub fn legend_color_in(category: Category, palette: Palette) -> Color {
    let ((r, g, b), _) = family(category, palette);
    Color { r, g, b }
}

/// A palette map giving every label of `labels` its colour.
pub fn palette_map(labels: &LabelTable) -> PaletteMap {
    palette_map_for(labels, Palette::Default)
}

/// A palette map giving every label of `labels` its colour in `palette`.
pub fn palette_map_for(labels: &LabelTable, palette: Palette) -> PaletteMap {
    let mut map = PaletteMap::default();
    for (name, category) in labels.iter() {
        map.insert(name, color_in(name, category, palette));
    }
    // inferno's bottom "all" frame has an empty name.
    map.insert("", legend_color_in(Category::Source, palette));
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every colour `category` can take in `palette` (sampled over many labels).
    fn shades(category: Category, palette: Palette) -> Vec<Color> {
        (0..400)
            .map(|i| {
                let label = match category {
                    Category::Dependency => format!("f (node_modules/pkg{i}/index.js:1:1)"),
                    _ => format!("f{i} (src/a{i}.js:1:1)"),
                };
                color_in(&label, category, palette)
            })
            .collect()
    }

    fn distance(a: Color, b: Color) -> f64 {
        let d = |x: u8, y: u8| (x as f64 - y as f64).powi(2);
        (d(a.r, b.r) + d(a.g, b.g) + d(a.b, b.b)).sqrt()
    }

    #[test]
    fn the_search_colour_is_no_categorys() {
        for palette in [Palette::Default, Palette::Colorblind] {
            let text = search_color(palette).to_string();
            let n: Vec<u8> = text
                .trim_start_matches("rgb(")
                .trim_end_matches(')')
                .split(',')
                .map(|v| v.parse().unwrap())
                .collect();
            let search = Color {
                r: n[0],
                g: n[1],
                b: n[2],
            };
            for category in Category::ALL {
                let nearest = shades(category, palette)
                    .into_iter()
                    .map(|c| distance(c, search))
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    nearest > 70.0,
                    "{palette:?}: search {search:?} is {nearest:.0} from {category:?}"
                );
            }
        }
    }

    #[test]
    fn packages_get_distinguishable_hues_in_the_family() {
        let packages = [
            "lodash",
            "react",
            "react-dom",
            "express",
            "@acme/util",
            "tiny-lib",
            "zod",
            "rxjs",
            "@angular/core",
            "typescript",
            "webpack",
            "esbuild",
        ];
        for palette in [Palette::Default, Palette::Colorblind] {
            let colors: Vec<Color> = packages
                .iter()
                .map(|p| {
                    let label = format!("f (node_modules/{p}/index.js:1:1)");
                    color_in(&label, Category::Dependency, palette)
                })
                .collect();
            // Stable per package, whatever the frame.
            assert_eq!(
                colors[0],
                color_in(
                    "other (node_modules/lodash/fp.js:9:9)",
                    Category::Dependency,
                    palette
                )
            );
            for c in &colors {
                assert!(c.b > c.r && c.b >= c.g, "{palette:?}: blue family: {c:?}");
            }
            let distinct = (0..colors.len())
                .flat_map(|i| (i + 1..colors.len()).map(move |j| (i, j)))
                .filter(|&(i, j)| distance(colors[i], colors[j]) > 10.0)
                .count();
            let pairs = colors.len() * (colors.len() - 1) / 2;
            assert!(
                distinct * 10 >= pairs * 9,
                "{palette:?}: {distinct} of {pairs} pairs distinguishable: {colors:?}"
            );
        }
    }

    #[test]
    fn colours_are_stable_and_in_family() {
        let a = color_of("fib (src/work.js:12:5)", Category::App);
        assert_eq!(a, color_of("fib (src/work.js:12:5)", Category::App));
        assert!(a.r > a.b, "application frames are warm: {a:?}");
        let d = color_of(
            "chunk (node_modules/lodash/lodash.js:1:1)",
            Category::Dependency,
        );
        assert!(d.b > d.r, "dependencies are blue: {d:?}");
        let r = color_of(
            "processTicksAndRejections (node:internal/process/task_queues:1:1)",
            Category::Runtime,
        );
        assert!(r.g > r.r && r.g > r.b, "runtime is green: {r:?}");
    }
}
