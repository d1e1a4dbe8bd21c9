// One layer as a textured quad. Colours are premultiplied, in the blending space (sRGB-encoded by
// default, linear light in linear mode); fixed-function blending does the rest.
#version 430 core

#section VERTEX_SHADER
#include "lib/quad_vertex.glsl"

#section FRAGMENT_SHADER
uniform sampler2D u_texture;  // premultiplied RGBA (images), coverage as RRRR (text), 1x1 white (colour)
uniform vec4 u_color;         // premultiplied tint with the layer opacity applied
uniform bool u_exact;         // texels map 1:1 onto whole pixels: fetch the texel itself
in vec2 v_uv;
out vec4 out_color;

void main() {
    // Filtering (trilinear, anisotropic) is for scaled content; some drivers' anisotropic paths
    // blur even at 1:1, so an aligned copy reads its texel directly and stays exact.
    vec4 texel = u_exact
        ? texelFetch(u_texture, ivec2(floor(v_uv * vec2(textureSize(u_texture, 0)))), 0)
        : texture(u_texture, v_uv);
    out_color = u_color * texel;
}
