// One image or text layer as a textured quad, filtered (trilinear; anisotropic on GPUs): for
// content that is scaled, rotated or placed between pixels. Colours are premultiplied, in the
// blending space (sRGB-encoded by default, linear light in linear mode); fixed-function blending
// does the rest. layer_exact.glsl and layer_solid.glsl draw the cases that need no filtering;
// each is its own program because a software renderer runs both sides of a branch on a uniform.
#version 430 core

#section VERTEX_SHADER
#include "lib/quad_vertex.glsl"

#section FRAGMENT_SHADER
uniform sampler2D u_texture;  // premultiplied RGBA (images), coverage as RRRR (text)
uniform vec4 u_color;         // premultiplied tint with the layer opacity applied
in vec2 v_uv;
out vec4 out_color;

void main() {
    out_color = u_color * texture(u_texture, v_uv);
}
