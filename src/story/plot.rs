//! A timeline drawn as a chart to paste into a story: SVG or PNG, with a
//! title, axes, a legend, periods on the axis and a note of the undated
//! articles. Drawn with `plotters`; text is set in DejaVu Sans, shipped
//! in the binary (`assets/fonts/`, Bitstream Vera licence), so no system
//! font is needed.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::story::timeline::{Split, Timeline};

/// Pixels of the chart.
pub const SIZE: (u32, u32) = (1000, 560);

/// The font every text of the chart is set in.
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The name plotters knows the font by.
const FAMILY: &str = "sans-serif";

/// Series colours (Tableau 10), in legend order.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Bars (side by side per period) up to this many, lines beyond.
const MAX_BARS: usize = 150;

/// Image formats `--plot` writes, by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Svg,
    Png,
}

impl Kind {
    /// The format of `path`, from its extension.
    pub fn of(path: &Path) -> Result<Kind> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(Kind::Svg),
            Some("png") => Ok(Kind::Png),
            _ => Err(Error::Invalid(format!(
                "--plot {}: the file name must end in .svg or .png",
                path.display()
            ))),
        }
    }
}

fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    ok.then_some(())
        .ok_or_else(|| Error::Invalid("the chart's built-in font cannot be read".into()))
}

/// The chart's title.
pub fn title(t: &Timeline) -> String {
    let per = format!("Articles per {}", t.by.name());
    match (t.split, t.queries.as_slice()) {
        (Split::Outlet, [q]) => format!("{per} by outlet: {q}"),
        (_, [q]) => format!("{per}: {q}"),
        _ => per,
    }
}

/// The note under the chart about what it leaves out.
pub fn undated_note(t: &Timeline) -> Option<String> {
    let n = t.undated();
    (n > 0).then(|| {
        let s = if n == 1 { "" } else { "s" };
        format!("{n} undated article{s} not shown")
    })
}

/// Draws `t` into `path` (SVG or PNG, by its extension).
pub fn plot(t: &Timeline, path: &Path) -> Result<()> {
    let kind = Kind::of(path)?;
    register_font()?;
    let failed = |e: String| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    match kind {
        Kind::Svg => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            draw(t, &root).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))
        }
        Kind::Png => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            draw(t, &root).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))
        }
    }
}

fn draw<DB: DrawingBackend>(
    t: &Timeline,
    root: &DrawingArea<DB, Shift>,
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let periods = t.periods();
    let n = periods.len().max(1);
    let top = t
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.articles))
        .max()
        .unwrap_or(0)
        .max(1);
    let y_max = (top as f64 * 1.1).ceil().max(top as f64 + 1.0);
    // Whole numbers on the axis: every one up to ten, else about ten.
    let y_labels = (y_max as usize + 1).min(11);

    let (chart_area, note_area) = root.split_vertically(SIZE.1 - 30);
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(title(t), (FAMILY, 24))
        .margin(12)
        .x_label_area_size(58)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max)
        .map_err(err)?;
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        periods
            .get(i as usize)
            .map_or(String::new(), |p| (*p).to_string())
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&label)
        .x_label_style((FAMILY, 13).into_font().transform(FontTransform::Rotate90))
        .y_label_formatter(&|y| {
            if (y - y.round()).abs() < 1e-6 {
                format!("{y:.0}")
            } else {
                String::new()
            }
        })
        .y_labels(y_labels)
        .x_desc(t.by.name())
        .y_desc("articles")
        .axis_desc_style((FAMILY, 15))
        .label_style((FAMILY, 13))
        .draw()
        .map_err(err)?;

    let groups = t.series.len().max(1);
    let bars = periods.len() * groups <= MAX_BARS;
    for (k, series) in t.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let drawn = if bars {
            let width = 0.8 / groups as f64;
            chart
                .draw_series(series.points.iter().enumerate().map(|(i, p)| {
                    let left = i as f64 - 0.4 + width * k as f64;
                    Rectangle::new(
                        [(left, 0.0), (left + width, p.articles as f64)],
                        colour.filled(),
                    )
                }))
                .map_err(err)?
        } else {
            chart
                .draw_series(LineSeries::new(
                    series
                        .points
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (i as f64, p.articles as f64)),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
        };
        let name = format!("{} ({})", series.label, series.articles);
        drawn
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FAMILY, 14))
        .draw()
        .map_err(err)?;

    if let Some(note) = undated_note(t) {
        note_area
            .draw(&Text::new(
                note,
                (20, 6),
                (FAMILY, 14).into_font().color(&BLACK),
            ))
            .map_err(err)?;
    }
    Ok(())
}
