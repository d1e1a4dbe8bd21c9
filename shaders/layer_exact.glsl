// One image layer whose texels map 1:1 onto whole pixels: each pixel fetches its texel itself,
// exactly (some drivers' anisotropic paths blur even at 1:1, and fetching costs a software
// renderer half of filtering). Otherwise as layer.glsl.
#version 430 core

#section VERTEX_SHADER
#include "lib/quad_vertex.glsl"

#section FRAGMENT_SHADER
uniform sampler2D u_texture;  // premultiplied RGBA
uniform vec4 u_color;         // premultiplied tint with the layer opacity applied
in vec2 v_uv;
out vec4 out_color;

void main() {
    ivec2 texel = ivec2(floor(v_uv * vec2(textureSize(u_texture, 0))));
    out_color = u_color * texelFetch(u_texture, texel, 0);
}
