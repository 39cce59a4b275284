//! Files made by the run: a PNG, an SVG and a two-page PDF whose bytes are
//! unique to the run and trial, so that no cache, duplicate-file answer or
//! earlier upload can stand in for the store working now.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

/// A file to upload.
#[derive(Debug, Clone)]
pub struct Made {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub mime: &'static str,
}

/// A `width`×`height` PNG whose pixels are drawn from `seed`.
pub fn png(seed: &str, width: u32, height: u32) -> Made {
    let hash = fnv(seed);
    let image = RgbImage::from_fn(width, height, |x, y| {
        let v = hash.rotate_left((x * 7 + y * 13) % 32);
        Rgb([v as u8, (v >> 8) as u8, (x ^ y ^ (v >> 16)) as u8])
    });
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, ImageFormat::Png)
        .expect("a PNG encodes into memory");
    Made {
        bytes: bytes.into_inner(),
        mime: "image/png",
    }
}

/// A `width`×`height` SVG that carries `seed` as its text.
pub fn svg(seed: &str, width: u32, height: u32) -> Made {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#36c\"/>\n\
         <circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#fc3\"/>\n\
         <text x=\"10\" y=\"{}\" font-size=\"12\" fill=\"#fff\">{seed}</text>\n\
         </svg>\n",
        width / 2,
        height / 2,
        height / 3,
        height - 10
    );
    Made {
        bytes: text.into_bytes(),
        mime: "image/svg+xml",
    }
}

/// A PDF with one page per entry of `pages`, each showing its text in one
/// line, on A4 pages (Helvetica, no images: the smallest valid file). Text
/// past the page's edge would be lost to pdftotext: keep lines under about
/// 70 characters.
pub fn pdf(pages: &[String]) -> Made {
    let n = pages.len();
    // Objects: 1 catalog, 2 page tree, 3 font, then per page its page object
    // and its content stream.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    for (i, text) in pages.iter().enumerate() {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        let stream = format!("BT /F1 12 Tf 36 780 Td ({escaped}) Tj ET");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    Made {
        bytes: out.into_bytes(),
        mime: "application/pdf",
    }
}

/// The width of an image (PNG, JPEG, GIF, WebP), decoded in full: a
/// truncated or mislabelled answer is an error, not a size.
pub fn decoded_width(bytes: &[u8]) -> Result<u32, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let format = reader.format();
    let image = reader
        .decode()
        .map_err(|e| format!("not a decodable image ({format:?}): {e}"))?;
    Ok(image.width())
}

fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
