// RGBA -> NV12 (BT.709, limited range) as a compute pass writing straight into a buffer (the
// readback PBO) in NV12 byte order. One invocation converts a 4x2 pixel block: two words of Y and
// one word of interleaved Cb Cr. Needs width % 4 == 0 and an even height; converts the area
// u_area only (a damaged rectangle), the rest of the buffer is left as it was.
#version 430 core

#section COMPUTE_SHADER
layout(local_size_x = 8, local_size_y = 8) in;
layout(std430, binding = 0) writeonly buffer Nv12 { uint words[]; };

uniform ivec2 u_size;  // frame width, height in px
uniform ivec4 u_area;  // the pixels to convert: x0, y0, x1, y1 (x0, x1 % 4 == 0, y0, y1 even)

#include "lib/srgb.glsl"
#include "lib/nv12_source.glsl"

uint code(float value) { return uint(clamp(floor(value + 0.5), 0.0, 255.0)); }

uint pack4(uint a, uint b, uint c, uint d) { return a | (b << 8) | (c << 16) | (d << 24); }

uint luma_code(vec3 rgb) { return code(16.0 + 219.0 * dot(LUMA, rgb)); }

uvec2 chroma_codes(vec3 a, vec3 b, vec3 c, vec3 d) {
    vec3 rgb = 0.25 * (a + b + c + d);
    float luma = dot(LUMA, rgb);
    return uvec2(code(128.0 + 224.0 * (rgb.b - luma) / 1.8556),
                 code(128.0 + 224.0 * (rgb.r - luma) / 1.5748));
}

void main() {
    ivec2 cell = ivec2(gl_GlobalInvocationID.xy) + u_area.xy / ivec2(4, 2);  // 4x2 block index
    if (cell.x * 4 >= u_area.z || cell.y * 2 >= u_area.w) {
        return;
    }
    ivec2 origin = cell * ivec2(4, 2);
    vec3 top[4];
    vec3 bottom[4];
    for (int i = 0; i < 4; ++i) {
        top[i] = rgb_at(origin + ivec2(i, 0));
        bottom[i] = rgb_at(origin + ivec2(i, 1));
    }
    int row_words = u_size.x / 4;
    int y_word = origin.y * row_words + cell.x;
    words[y_word] = pack4(luma_code(top[0]), luma_code(top[1]), luma_code(top[2]), luma_code(top[3]));
    words[y_word + row_words] = pack4(luma_code(bottom[0]), luma_code(bottom[1]),
                                      luma_code(bottom[2]), luma_code(bottom[3]));
    uvec2 left = chroma_codes(top[0], top[1], bottom[0], bottom[1]);
    uvec2 right = chroma_codes(top[2], top[3], bottom[2], bottom[3]);
    int uv_word = (u_size.x * u_size.y) / 4 + cell.y * row_words + cell.x;
    words[uv_word] = pack4(left.x, left.y, right.x, right.y);
}
