#include "media/jpeg_codec.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>

#include "media/jpeg_arena.h"

#include <jerror.h>

// Errors: libjpeg's error_exit must not return. Ours longjmps back to the setjmp at the top
// of the codec call that is running, which aborts the image (jpeg_abort_*: the arena rewinds)
// and returns the failure. Between that setjmp and any longjmp there are only libjpeg's
// frames and the callbacks below (the arena's too), none of which holds an object with a
// destructor, so nothing is skipped.
namespace ttycall::media {
namespace {

constexpr int kRowBatch = 16;  // rows handed to libjpeg per call: more than any MCU is tall

const core::AllocSite& jpeg_site() {
  static const core::AllocSite site("media.jpeg");
  return site;
}

struct Errors {
  jpeg_error_mgr pub;  // first: libjpeg knows only &pub (cinfo->err)
  std::jmp_buf jump;
  bool warned = false;
  bool too_many_scans = false;

  static Errors& of(j_common_ptr object) { return *reinterpret_cast<Errors*>(object->err); }

  jpeg_error_mgr* attach() {
    jpeg_std_error(&pub);
    pub.error_exit = [](j_common_ptr object) { std::longjmp(of(object).jump, 1); };
    // Warnings are remembered, never printed (a hostile frame must not fill the log).
    pub.emit_message = [](j_common_ptr object, int level) {
      if (level < 0) {
        of(object).warned = true;
        ++object->err->num_warnings;
      }
    };
    pub.output_message = [](j_common_ptr) {};
    return &pub;
  }

  // Before each call: what the last one left is forgotten.
  void clear() {
    warned = false;
    too_many_scans = false;
    pub.msg_code = 0;
    pub.num_warnings = 0;
  }
};

// Writes into the caller's buffer and never grows it: running out is an error.
struct Destination {
  jpeg_destination_mgr pub;  // first: libjpeg knows only &pub (cinfo->dest)
  uint8_t* data = nullptr;
  size_t size = 0;

  static Destination& of(j_compress_ptr object) {
    return *reinterpret_cast<Destination*>(object->dest);
  }

  jpeg_destination_mgr* attach() {
    pub.init_destination = [](j_compress_ptr object) {
      Destination& d = of(object);
      d.pub.next_output_byte = d.data;
      d.pub.free_in_buffer = d.size;
    };
    pub.empty_output_buffer = [](j_compress_ptr object) -> boolean {
      ERREXIT(object, JERR_BUFFER_SIZE);
      return FALSE;
    };
    pub.term_destination = [](j_compress_ptr) {};
    return &pub;
  }

  size_t written() const { return size - pub.free_in_buffer; }
};

// JpegOptions as libjpeg parameters, set as TurboJPEG's tjCompress2 sets them
// (turbojpeg.c, setCompDefaults) so the bytes are the same. The one place that maps options.
void set_parameters(jpeg_compress_struct& c, const JpegOptions& options) {
  c.in_color_space = JCS_EXT_RGB;
  c.input_components = 3;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, options.quality, TRUE);
  c.dct_method =
      options.dct == DctMethod::kAccurate || options.quality >= 96 ? JDCT_ISLOW : JDCT_FASTEST;
  jpeg_set_colorspace(&c, JCS_YCbCr);
  const int luma = options.subsampling == ChromaSubsampling::k420 ? 2 : 1;
  c.comp_info[0].h_samp_factor = luma;
  c.comp_info[0].v_samp_factor = luma;
  for (int i = 1; i < 3; ++i) {
    c.comp_info[i].h_samp_factor = 1;
    c.comp_info[i].v_samp_factor = 1;
  }
}

// What TurboJPEG's decoder accepts for RGB output: greyscale, or YCbCr with the chroma at
// one sample per MCU and the luma in one of its subsamplings (4:4:4, 4:2:2, 4:2:0, 4:4:0,
// 4:1:1).
bool decodable(const jpeg_decompress_struct& d) {
  if (d.num_components == 1) return d.jpeg_color_space == JCS_GRAYSCALE;
  if (d.num_components != 3) return false;
  const int h = d.comp_info[0].h_samp_factor, v = d.comp_info[0].v_samp_factor;
  const bool known = (h == 1 && v == 1) || (h == 2 && v == 1) || (h == 2 && v == 2) ||
                     (h == 1 && v == 2) || (h == 4 && v == 1);
  for (int i = 1; i < 3; ++i) {
    if (d.comp_info[i].h_samp_factor != 1 || d.comp_info[i].v_samp_factor != 1) return false;
  }
  return known;
}

// ((v + p - 1) & ~(p - 1)), as tjBufSize pads to whole MCUs.
size_t pad(int v, int p) {
  return (size_t(v) + size_t(p) - 1) & ~(size_t(p) - 1);
}

}  // namespace

// ---- encoder ----------------------------------------------------------------------------

struct JpegEncoder::Impl {
  JpegArena arena{jpeg_site()};  // first: it must outlive the object (destroyed in ~Impl)
  Errors errors;
  Destination destination;
  jpeg_compress_struct object{};

  // The parameters are set once: libjpeg keeps them from image to image, so each encode
  // sets only the size (deriving the quantisation tables again costs at small sizes).
  bool create(const JpegOptions& options) {
    object.err = errors.attach();
    if (setjmp(errors.jump) != 0) return false;
    jpeg_create_compress(&object);
    arena.install(reinterpret_cast<j_common_ptr>(&object));
    object.dest = destination.attach();
    set_parameters(object, options);
    return true;
  }
  ~Impl() { jpeg_destroy_compress(&object); }  // safe on a zeroed or half-made object
};

JpegEncoder::JpegEncoder(JpegOptions options) : options_(options) {
  core::ScopedAllocSite scope(jpeg_site());
  auto impl = std::make_unique<Impl>();
  if (options.quality >= 0 && options.quality <= 100 && impl->create(options)) {
    impl_ = std::move(impl);
  }
}

JpegEncoder::~JpegEncoder() = default;

size_t JpegEncoder::max_size(int width, int height, ChromaSubsampling subsampling) {
  // tjBufSize's bound: it allows for the rare JPEG larger than its pixels.
  if (width < 1 || height < 1) return 0;
  const int mcu = subsampling == ChromaSubsampling::k420 ? 16 : 8;
  const size_t chroma = 4 * 64 / size_t(mcu * mcu);
  return pad(width, mcu) * pad(height, mcu) * (2 + chroma) + 2048;
}

size_t JpegEncoder::encode(ImageView image, std::span<uint8_t> out) {
  if (impl_ == nullptr || image.rgb == nullptr || image.width < 1 || image.height < 1 ||
      out.size() < max_size(image.width, image.height, options_.subsampling)) {
    return 0;
  }
  Impl& s = *impl_;
  jpeg_compress_struct& c = s.object;
  s.errors.clear();
  s.destination.data = out.data();
  s.destination.size = out.size();
  if (setjmp(s.errors.jump) != 0) {
    jpeg_abort_compress(&c);
    return 0;
  }
  c.image_width = JDIMENSION(image.width);
  c.image_height = JDIMENSION(image.height);
  jpeg_start_compress(&c, TRUE);
  JSAMPROW rows[kRowBatch];
  while (c.next_scanline < c.image_height) {
    const JDIMENSION n = std::min<JDIMENSION>(kRowBatch, c.image_height - c.next_scanline);
    for (JDIMENSION i = 0; i < n; ++i) {
      // libjpeg takes rows as writable but only reads them.
      rows[i] =
          const_cast<JSAMPROW>(image.rgb + size_t(c.next_scanline + i) * size_t(image.stride));
    }
    jpeg_write_scanlines(&c, rows, n);
  }
  jpeg_finish_compress(&c);
  return s.destination.written();
}

// ---- decoder ----------------------------------------------------------------------------

struct JpegDecoder::Impl {
  JpegArena arena{jpeg_site()};  // first: it must outlive the object (destroyed in ~Impl)
  Errors errors;
  jpeg_progress_mgr progress{};
  jpeg_decompress_struct object{};

  bool create() {
    object.err = errors.attach();
    if (setjmp(errors.jump) != 0) return false;
    jpeg_create_decompress(&object);
    arena.install(reinterpret_cast<j_common_ptr>(&object));
    // libjpeg reports progress at least once per scan: the place to count them.
    progress.progress_monitor = [](j_common_ptr o) {
      if (reinterpret_cast<j_decompress_ptr>(o)->input_scan_number > kMaxScans) {
        Errors::of(o).too_many_scans = true;
        std::longjmp(Errors::of(o).jump, 1);
      }
    };
    object.progress = &progress;
    return true;
  }
  ~Impl() { jpeg_destroy_decompress(&object); }
};

JpegDecoder::JpegDecoder(DctMethod dct) : dct_(dct) {
  core::ScopedAllocSite scope(jpeg_site());
  auto impl = std::make_unique<Impl>();
  if (impl->create()) impl_ = std::move(impl);
}

JpegDecoder::~JpegDecoder() = default;

bool JpegDecoder::read_info(std::span<const uint8_t> jpeg, JpegInfo& info) {
  if (impl_ == nullptr || jpeg.empty()) return false;
  Impl& s = *impl_;
  jpeg_decompress_struct& d = s.object;
  s.errors.clear();
  if (setjmp(s.errors.jump) != 0) {
    jpeg_abort_decompress(&d);
    return false;
  }
  jpeg_mem_src(&d, jpeg.data(), jpeg.size());
  jpeg_read_header(&d, TRUE);
  const bool ok = decodable(d) && !s.errors.warned;
  info.width = int(d.image_width);
  info.height = int(d.image_height);
  jpeg_abort_decompress(&d);
  return ok && info.width > 0 && info.height > 0;
}

bool JpegDecoder::decode(std::span<const uint8_t> jpeg, const JpegInfo& info,
                         std::span<uint8_t> out) {
  if (impl_ == nullptr || jpeg.empty() || info.width < 1 || info.height < 1) return false;
  const size_t stride = size_t(info.width) * 3;
  if (out.size() < stride * size_t(info.height)) return false;
  Impl& s = *impl_;
  jpeg_decompress_struct& d = s.object;
  s.errors.clear();
  if (setjmp(s.errors.jump) != 0) {
    jpeg_abort_decompress(&d);
    return false;
  }
  jpeg_mem_src(&d, jpeg.data(), jpeg.size());
  jpeg_read_header(&d, TRUE);
  if (!decodable(d) || s.errors.warned || d.image_width != JDIMENSION(info.width) ||
      d.image_height != JDIMENSION(info.height)) {
    jpeg_abort_decompress(&d);
    return false;
  }
  d.out_color_space = JCS_EXT_RGB;
  d.dct_method = dct_ == DctMethod::kFast ? JDCT_FASTEST : JDCT_ISLOW;
  jpeg_start_decompress(&d);
  JSAMPROW rows[kRowBatch];
  while (d.output_scanline < d.output_height) {
    const JDIMENSION n = std::min<JDIMENSION>(kRowBatch, d.output_height - d.output_scanline);
    for (JDIMENSION i = 0; i < n; ++i)
      rows[i] = out.data() + size_t(d.output_scanline + i) * stride;
    jpeg_read_scanlines(&d, rows, n);
  }
  jpeg_finish_decompress(&d);
  return true;
}

int JpegDecoder::last_message() const {
  if (impl_ == nullptr) return 0;
  return impl_->errors.too_many_scans ? kTooManyScans : impl_->errors.pub.msg_code;
}

}  // namespace ttycall::media
