// One colour layer: its premultiplied colour (opacity applied) over the quad, no texture.
// Otherwise as layer.glsl.
#version 430 core

#section VERTEX_SHADER
#include "lib/quad_vertex.glsl"

#section FRAGMENT_SHADER
uniform vec4 u_color;  // premultiplied colour with the layer opacity applied
in vec2 v_uv;
out vec4 out_color;

void main() {
    out_color = u_color;
}
