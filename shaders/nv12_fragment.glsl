// RGBA -> NV12 (BT.709, limited range) as a fragment pass into a W x 3H/2 one-byte target:
// rows 0..H-1 hold Y, rows H..3H/2-1 hold interleaved Cb Cr for 2x2 pixel blocks.
// The frame is premultiplied, so its colour is the frame composited over black.
#version 430 core

#section VERTEX_SHADER
#include "lib/fullscreen_triangle.glsl"

#section FRAGMENT_SHADER
uniform int u_height;  // luma rows
out float out_code;

#include "lib/srgb.glsl"
#include "lib/nv12_source.glsl"

// Code values are rounded here so the unorm store is exact.
float code(float value) { return floor(value + 0.5) / 255.0; }

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    if (p.y < u_height) {
        out_code = code(16.0 + 219.0 * dot(LUMA, rgb_at(p)));
        return;
    }
    ivec2 block = ivec2(p.x >> 1, p.y - u_height) * 2;
    vec3 rgb = 0.25 * (rgb_at(block) + rgb_at(block + ivec2(1, 0))
                       + rgb_at(block + ivec2(0, 1)) + rgb_at(block + ivec2(1, 1)));
    float luma = dot(LUMA, rgb);
    float chroma = (p.x & 1) == 0 ? (rgb.b - luma) / 1.8556 : (rgb.r - luma) / 1.5748;
    out_code = code(128.0 + 224.0 * chroma);
}
