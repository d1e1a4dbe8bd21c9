// One clip layer as a textured quad: the decoded picture's Y, Cb and Cr planes (yuv420p, one R8
// texture each) converted to RGB here, then premultiplied in the blending space exactly as an
// image is (sRGB-encoded by default, linear light in linear mode); fixed-function blending does
// the rest. The conversion (BT.601/BT.709 matrix, limited/full range) comes in as one matrix and
// one offset: rgb = u_yuv_to_rgb * (yuv - u_yuv_offset) (compositor/gl/video.py).
#version 430 core

#section VERTEX_SHADER
#include "lib/quad_vertex.glsl"

#section FRAGMENT_SHADER
#include "lib/srgb.glsl"
uniform sampler2D u_y;        // luma, full size
uniform sampler2D u_cb;       // chroma planes, half size each way (stretched over the same quad)
uniform sampler2D u_cr;
uniform mat3 u_yuv_to_rgb;    // normalised codes (0..1) minus offset -> sRGB-encoded RGB
uniform vec3 u_yuv_offset;
uniform float u_opacity;      // the layer opacity, 0..1
uniform bool u_linear;        // blend in linear light: decode sRGB first
in vec2 v_uv;
out vec4 out_color;

void main() {
    vec3 yuv = vec3(texture(u_y, v_uv).r, texture(u_cb, v_uv).r, texture(u_cr, v_uv).r);
    vec3 rgb = clamp(u_yuv_to_rgb * (yuv - u_yuv_offset), 0.0, 1.0);
    if (u_linear) {
        rgb = srgb_decode(rgb);
    }
    // A clip is opaque: premultiplied by the opacity alone.
    out_color = vec4(rgb, 1.0) * u_opacity;
}
